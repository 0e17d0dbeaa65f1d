"""List imports of the project's own modules made inside a function body without a
comment naming why (the cycle it breaks): `make lint` fails on any.

An import belongs at the top of its module; one inside a function hides a dependency
from readers and from `lint-imports`. The rare exception (Django's `AppConfig.ready`,
a cycle that cannot be cut) says so in a comment on the line or the line above.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PROJECT = ("accounts", "helpdesk", "notifications", "sla", "tickets", "kb")
SKIP = ("migrations", "tests", "benchmarks", ".venv")


def _project_module(node: ast.Import | ast.ImportFrom) -> str | None:
    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    for name in names:
        if name.split(".")[0] in PROJECT:
            return name
    return None


def offending(path: Path) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            module = _project_module(node)
            if module is None:
                continue
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            if "#" in here or above.strip().startswith("#"):
                continue
            found.append(f"{path}:{node.lineno}: import of {module} inside {function.name}()")
    return found


def main(root: Path) -> int:
    problems = []
    for path in sorted(root.rglob("*.py")):
        if any(part in SKIP for part in path.parts) or path.parts[0] not in PROJECT:
            continue
        problems += offending(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} project import(s) inside function bodies without a comment")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(".")))
