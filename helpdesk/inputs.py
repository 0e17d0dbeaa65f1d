"""Checks on raw request input that every view relies on.

PostgreSQL refuses NUL characters in text, and database integers stop at 2**63 - 1:
an id or a page number past that, or a NUL byte in a search, must be a 400 or "nothing
found", never a database error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The largest value of a BigAutoField / bigint column.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """A positive database id or count written in ASCII digits, else None.

    `"²".isdigit()` is true and `int("²")` fails, so digits are matched, not tested.
    """
    text = str(value or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def is_id(value: str) -> bool:
    return parse_id(value) is not None


def contains_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)
