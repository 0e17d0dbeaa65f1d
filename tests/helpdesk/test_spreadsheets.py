"""Every CSV the product writes is data to a spreadsheet, never a formula."""

import csv
import io

import pytest

from helpdesk.spreadsheets import SafeCsvWriter, csv_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_a_formula_is_prefixed_with_an_apostrophe(start):
    assert csv_cell(start + "HYPERLINK(1)") == "'" + start + "HYPERLINK(1)"


def test_numbers_and_plain_text_are_left_alone():
    assert csv_cell(-3) == -3
    assert csv_cell(2.5) == 2.5
    assert csv_cell("Acme") == "Acme"
    assert csv_cell(None) is None


def test_writer_escapes_every_cell():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["=1+1", "ok", 4], ["@x", "-2", None]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "ok", "4"],
        ["'@x", "'-2", ""],
    ]
