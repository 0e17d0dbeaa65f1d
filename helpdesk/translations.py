"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib.

Run as `python -m helpdesk.translations`: needs neither GNU gettext nor Django
settings, so `make run`, `make test` and image builds can all call it first.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_translations(locale_dir: Path = LOCALE_DIR) -> int:
    """Compile every .po newer than its .mo; return how many were compiled."""
    count = 0
    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


if __name__ == "__main__":
    print(f"Compiled {compile_translations()} translation file(s).")
