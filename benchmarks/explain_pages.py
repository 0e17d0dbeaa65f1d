"""The PostgreSQL plan of every query each page runs, checked for sorts that spill and
scans of whole tables.

Run from the repository root, on a database ``load_million.py`` filled::

    .venv/bin/python benchmarks/explain_pages.py --database bench_1m [--only queue,REST]

For each page of ``http_pages.py`` (same people, same ids, same deep links) it requests
the page in-process with Django's test client (DEBUG off), records the SQL, and runs
``EXPLAIN (ANALYZE, BUFFERS)`` on every ``SELECT`` that reads the tickets, clocks,
comments, events or facts tables. It prints each query's time, the top plan node, and
flags ``Seq Scan`` on those tables and any ``Sort`` that spilled to disk
(``external merge``). Exits 1 if any such flag was raised.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402

from benchmarks.http_pages import ENVIRONMENT, next_link, pages  # noqa: E402

BIG_TABLES = (
    "tickets_ticket",
    "tickets_comment",
    "tickets_event",
    "sla_slaclock",
    "sla_ticketfacts",
    "tickets_tickettag",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="bench_1m")
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--only", default="")
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    args = parser.parse_args()
    os.environ.update(ENVIRONMENT)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ["STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from benchmarks.http_pages import prepare_people

    data = prepare_people(args.database)
    clients = {}
    for role in ("engineer", "customer", "manager"):
        client = Client()
        client.force_login(User.objects.get(email=data[role]))
        clients[role] = client
    wanted = [word.strip().lower() for word in args.only.split(",") if word.strip()]
    flagged = 0
    for page in pages(data, args.depth):
        if page.post is not None or (
            wanted and not any(word in page.name.lower() for word in wanted)
        ):
            continue
        client = clients[page.role]
        path = page.path
        for _ in range(page.depth):
            response = client.get(path)
            link = next_link(page.kind, response.content, path)
            if response.status_code != 200 or link is None:
                break
            path = link
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        print(f"\n## {page.name}: {path} → {response.status_code}, {len(captured)} queries")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or not any(
                table in sql for table in BIG_TABLES
            ):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            took = re.search(r"Execution Time: ([\d.]+) ms", plan)
            problems = []
            for table in BIG_TABLES:
                if re.search(rf"Seq Scan on {table}\b", plan):
                    problems.append(f"Seq Scan on {table}")
            if "external merge" in plan:
                problems.append("sort spilled to disk")
            flagged += bool(problems)
            top = plan.splitlines()[0].strip()[:90]
            print(
                f"- {float(took.group(1)) if took else 0:8.2f} ms  {top}"
                + (f"  **{', '.join(problems)}**" if problems else "")
            )
            if args.plans or problems:
                print("  " + sql[:300])
                print("\n".join("    " + line for line in plan.splitlines()))
    print(f"\n{flagged} queries flagged.")
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
