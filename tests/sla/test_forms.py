"""What a manager types: durations and opening hours, parsed or explained."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from sla.forms import parse_clock, parse_day_hours, parse_duration_text

H, M = timedelta(hours=1), timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", 15 * M),
        ("15 min", 15 * M),
        ("1h", H),
        ("1h 30m", H + 30 * M),
        ("1h30m", H + 30 * M),
        ("1h30", H + 30 * M),
        ("1:30", H + 30 * M),
        ("24h", 24 * H),
        ("1.5h", H + 30 * M),
        ("1,5 horas", H + 30 * M),
        ("2 hours and 15 minutes", 2 * H + 15 * M),
        ("1h 30min", H + 30 * M),
        ("90s", 90 * timedelta(seconds=1)),
        ("  8H ", 8 * H),
        ("0m", timedelta(0)),
    ],
)
def test_durations_are_read_the_way_people_write_them(text, expected):
    assert parse_duration_text(text) == expected


@pytest.mark.parametrize("text", ["8", "soon", "1 day", "1h x", "h", "-1h", "1:75"])
def test_unclear_durations_are_refused(text):
    with pytest.raises(ValidationError):
        parse_duration_text(text)


def test_a_bare_number_asks_for_a_unit():
    with pytest.raises(ValidationError) as error:
        parse_duration_text("8")
    assert error.value.messages == ["Give a unit, e.g. 8h or 8m."]


@pytest.mark.parametrize(
    ("text", "minutes"), [("08:00", 480), ("8", 480), ("17:30", 1050), ("24:00", 1440)]
)
def test_clock_times(text, minutes):
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["24:01", "25:00", "8:60", "noon", ""])
def test_impossible_clock_times_are_refused(text):
    with pytest.raises(ValidationError):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "intervals"),
    [
        ("", []),
        ("08:00–17:00", [(480, 1020)]),
        ("08:00-12:00, 13:00-17:00", [(480, 720), (780, 1020)]),
        ("8 - 12; 13:00 — 17:00", [(480, 720), (780, 1020)]),
        ("00:00 to 24:00", [(0, 1440)]),
    ],
)
def test_day_hours(text, intervals):
    assert parse_day_hours(text) == intervals


def test_day_hours_that_are_not_intervals_are_refused():
    with pytest.raises(ValidationError) as error:
        parse_day_hours("08:00")
    assert "is not an interval" in error.value.messages[0]


@pytest.mark.parametrize("text", ["9999h", "9999999999h", "99999999999999999999h"])
def test_absurd_durations_are_refused_with_a_message_not_an_error(text):
    from sla.forms import parse_duration_text

    with pytest.raises(ValidationError, match="at most 365 days"):
        parse_duration_text(text)
