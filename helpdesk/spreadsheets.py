"""CSV that a spreadsheet opens as data, never as formulas (CSV/formula injection).

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets; such cells get a leading apostrophe, which the
spreadsheet shows as text (OWASP's advice). Numbers are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: object) -> object:
    """The value itself, or text that starts no formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every text cell passes through `csv_cell`."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
