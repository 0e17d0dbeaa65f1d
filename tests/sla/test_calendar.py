"""Tests for :mod:`sla.calendar` (pure Python: no Django, no database).

Worked examples follow the SLA policy: *Standard* support is Monday-Friday 08:00-17:00 in the
customer's time zone, *Premium* support is 24x7.
"""

from __future__ import annotations

import subprocess
import sys
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.calendar import BusinessCalendar

REPO_ROOT = Path(__file__).resolve().parents[2]

STANDARD_HOURS = {day: [("08:00", "17:00")] for day in range(5)}
FULL_DAYS = {day: [("00:00", "24:00")] for day in range(7)}

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)


def standard(
    zone: str = "America/Sao_Paulo", holidays: set[date] | None = None
) -> BusinessCalendar:
    return BusinessCalendar(zone, STANDARD_HOURS, holidays=holidays or set())


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """A local wall-clock time, returned as the UTC instant it denotes.

    (Converted to UTC because datetimes in a repeated hour with ``fold=1`` never compare
    equal across zones, per PEP 495.)
    """
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[arg-type,misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


# ---------------------------------------------------------------------------------------
# Worked examples from the policy
# ---------------------------------------------------------------------------------------


class TestWorkedExamples:
    def test_standard_p4_filed_friday_afternoon(self) -> None:
        # Fri 2026-03-06 16:30 -03:00; 24 business hours = 0.5 (Fri) + 9 (Mon) + 9 (Tue)
        # + 5.5 (Wed) -> Wed 2026-03-11 13:30 local = 16:30 UTC.
        start = local(SAO_PAULO, 2026, 3, 6, 16, 30)
        assert start.weekday() == 4
        due = standard().add(start, 24 * H)
        assert due == utc(2026, 3, 11, 16, 30)
        assert due.tzinfo is UTC
        assert due.astimezone(SAO_PAULO) == local(SAO_PAULO, 2026, 3, 11, 13, 30)

    def test_standard_p2_filed_friday_afternoon_due_monday(self) -> None:
        start = local(SAO_PAULO, 2026, 3, 6, 16, 30)
        due = standard().add(start, 3 * H)
        assert due == local(SAO_PAULO, 2026, 3, 9, 10, 30)
        assert due == utc(2026, 3, 9, 13, 30)

    def test_standard_p1_filed_saturday_due_monday_nine(self) -> None:
        start = local(SAO_PAULO, 2026, 3, 7, 11, 12)
        assert standard().add(start, H) == local(SAO_PAULO, 2026, 3, 9, 9, 0)

    def test_premium_p1_across_spring_forward(self) -> None:
        # Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST.  01:50 CET is 00:50 UTC.
        start = local(BERLIN, 2026, 3, 29, 1, 50)
        due = BusinessCalendar.always_open().add(start, 15 * M)
        assert due == utc(2026, 3, 29, 1, 5)
        assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 5)

    def test_premium_p1_across_fall_back(self) -> None:
        # Berlin 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:50 CEST is 00:50 UTC.
        start = local(BERLIN, 2026, 10, 25, 2, 50, fold=0)
        due = BusinessCalendar.always_open().add(start, 15 * M)
        assert due == utc(2026, 10, 25, 1, 5)
        assert due == local(BERLIN, 2026, 10, 25, 2, 5, fold=1)

    def test_nine_hours_from_monday_opening_is_due_monday_close(self) -> None:
        start = local(SAO_PAULO, 2026, 3, 9, 8, 0)
        assert standard().add(start, 9 * H) == local(SAO_PAULO, 2026, 3, 9, 17, 0)
        assert standard().add(start, 9 * H + S) == local(SAO_PAULO, 2026, 3, 10, 8, 0, 1)

    def test_filed_at_night_starts_at_next_opening(self) -> None:
        start = local(SAO_PAULO, 2026, 3, 10, 22, 45)
        cal = standard()
        assert cal.add(start, 30 * M) == local(SAO_PAULO, 2026, 3, 11, 8, 30)
        assert cal.add(start, 9 * H) == local(SAO_PAULO, 2026, 3, 11, 17, 0)

    def test_zero_target_is_start_even_when_closed(self) -> None:
        start = local(SAO_PAULO, 2026, 3, 7, 3, 0)  # Saturday night
        assert standard().add(start, timedelta(0)) == start
        assert standard().add(start, timedelta(0)).tzinfo is UTC

    @pytest.mark.parametrize(
        ("start", "target", "due"),
        [
            # before opening
            ((2026, 3, 9, 7, 0), H, (2026, 3, 9, 9, 0)),
            ((2026, 3, 9, 0, 0), 15 * M, (2026, 3, 9, 8, 15)),
            # inside opening hours
            ((2026, 3, 9, 12, 0), H, (2026, 3, 9, 13, 0)),
            ((2026, 3, 9, 16, 59), M, (2026, 3, 9, 17, 0)),
            ((2026, 3, 9, 16, 59), 2 * M, (2026, 3, 10, 8, 1)),
            # exactly at closing and after
            ((2026, 3, 9, 17, 0), H, (2026, 3, 10, 9, 0)),
            ((2026, 3, 9, 18, 0), H, (2026, 3, 10, 9, 0)),
            # Friday evening to Monday
            ((2026, 3, 13, 17, 0), 9 * H, (2026, 3, 16, 17, 0)),
            # long targets: 100 h = 11 business days + 1 h; 500 h = 55 days + 5 h
            ((2026, 3, 2, 8, 0), 100 * H, (2026, 3, 17, 9, 0)),
            ((2026, 3, 2, 8, 0), 500 * H, (2026, 5, 18, 13, 0)),
            ((2026, 3, 2, 8, 0), 45 * H, (2026, 3, 6, 17, 0)),
        ],
    )
    def test_standard_before_inside_after_hours(
        self, start: tuple[int, ...], target: timedelta, due: tuple[int, ...]
    ) -> None:
        assert standard().add(local(SAO_PAULO, *start), target) == local(SAO_PAULO, *due)

    def test_christmas_friday_holiday_and_weekend(self) -> None:
        cal = standard(holidays={date(2026, 12, 25)})
        assert date(2026, 12, 25).weekday() == 4
        # Thu 16:00 + 3 h: 1 h Thursday, Friday is a holiday, 2 h Monday.
        assert cal.add(local(SAO_PAULO, 2026, 12, 24, 16), 3 * H) == local(
            SAO_PAULO, 2026, 12, 28, 10
        )
        assert cal.add(local(SAO_PAULO, 2026, 12, 25, 10), H) == local(SAO_PAULO, 2026, 12, 28, 9)
        assert cal.add(local(SAO_PAULO, 2026, 12, 26, 10), 9 * H) == local(
            SAO_PAULO, 2026, 12, 28, 17
        )
        assert not cal.is_open(local(SAO_PAULO, 2026, 12, 25, 10))
        assert cal.elapsed(local(SAO_PAULO, 2026, 12, 24), local(SAO_PAULO, 2026, 12, 29)) == 18 * H
        # Without the holiday, Friday counts.
        assert standard().add(local(SAO_PAULO, 2026, 12, 24, 16), 3 * H) == local(
            SAO_PAULO, 2026, 12, 25, 10
        )

    def test_holidays_are_local_dates(self) -> None:
        # Thursday 2026-12-24 22:00 in São Paulo is already Friday 01:00 UTC, but the
        # Friday holiday is the local Friday: Thursday evening is simply closed.
        cal = standard(holidays={date(2026, 12, 25)})
        start = local(SAO_PAULO, 2026, 12, 24, 22)
        assert cal.add(start, H) == local(SAO_PAULO, 2026, 12, 28, 9)

    def test_same_instant_in_any_zone_gives_same_result(self) -> None:
        cal = standard()
        instant = local(SAO_PAULO, 2026, 3, 6, 16, 30)
        variants = [
            instant,
            instant.astimezone(UTC),
            instant.astimezone(TOKYO),
            instant.astimezone(dt_timezone(timedelta(hours=5, minutes=45))),
            instant.astimezone(ZoneInfo("Asia/Kolkata")),
        ]
        for target in (M, 3 * H, 24 * H, 300 * H):
            results = {cal.add(v, target) for v in variants}
            assert len(results) == 1
        ends = [v + 100 * H for v in variants]
        assert len({cal.elapsed(v, e) for v in variants for e in ends}) == 1
        assert len({cal.is_open(v) for v in variants}) == 1

    def test_elapsed_examples(self) -> None:
        cal = standard()
        mon = local(SAO_PAULO, 2026, 3, 9)
        assert cal.elapsed(mon, mon + timedelta(days=7)) == 45 * H
        assert cal.elapsed(mon + 10 * H, mon + 12 * H) == 2 * H
        assert cal.elapsed(mon + 12 * H, mon + 10 * H) == timedelta(0)
        assert cal.elapsed(mon, mon) == timedelta(0)
        assert cal.elapsed(mon, mon + timedelta(days=364)) == 52 * 45 * H
        assert cal.elapsed(mon + 17 * H, mon + 32 * H) == timedelta(0)

    def test_is_open_is_half_open(self) -> None:
        cal = standard()
        assert cal.is_open(local(SAO_PAULO, 2026, 3, 9, 8, 0))
        assert cal.is_open(local(SAO_PAULO, 2026, 3, 9, 16, 59, 59, 999999))
        assert not cal.is_open(local(SAO_PAULO, 2026, 3, 9, 17, 0))
        assert not cal.is_open(local(SAO_PAULO, 2026, 3, 9, 7, 59, 59))
        assert not cal.is_open(local(SAO_PAULO, 2026, 3, 7, 12, 0))

    def test_microseconds_are_exact(self) -> None:
        cal = standard()
        start = local(SAO_PAULO, 2026, 3, 9, 16, 59, 59, 999_999)
        assert cal.add(start, timedelta(microseconds=2)) == local(
            SAO_PAULO, 2026, 3, 10, 8, 0, 0, 1
        )

    def test_premium_is_plain_arithmetic(self) -> None:
        cal = BusinessCalendar.always_open()
        assert cal.is_24x7
        start = local(NEW_YORK, 2026, 3, 8, 1, 30)
        assert cal.add(start, 5 * H) == start + 5 * H == utc(2026, 3, 8, 11, 30)
        assert cal.elapsed(start, start + 5 * H) == 5 * H
        assert cal.elapsed(start + 5 * H, start) == timedelta(0)
        assert cal.is_open(start)
        assert list(cal.open_intervals(start, start + H)) == [(start, start + H)]
        # A 24x7 schedule in any zone behaves the same across DST.
        same = BusinessCalendar("America/New_York", FULL_DAYS)
        assert same.is_24x7
        assert same.add(start, 5 * H) == start + 5 * H

    def test_multiple_intervals_per_day(self) -> None:
        cal = BusinessCalendar("America/Sao_Paulo", {0: [("13:00", "17:00"), ("08:00", "12:00")]})
        assert cal.weekly_hours == {0: (("08:00", "12:00"), ("13:00", "17:00"))}
        mon = local(SAO_PAULO, 2026, 3, 9)
        assert cal.add(mon + 11 * H, H) == mon + 12 * H
        assert cal.add(mon + 11 * H, 2 * H) == mon + 14 * H
        assert not cal.is_open(mon + 12.5 * H)
        assert cal.elapsed(mon, mon + 24 * H) == 8 * H
        assert cal.add(mon + 17 * H, H) == local(SAO_PAULO, 2026, 3, 16, 9)

    def test_intervals_adjacent_across_midnight_merge(self) -> None:
        cal = BusinessCalendar(
            "America/Sao_Paulo", {0: [("20:00", "24:00")], 1: [("00:00", "06:00")]}
        )
        mon = local(SAO_PAULO, 2026, 3, 9)
        intervals = list(cal.open_intervals(mon, mon + timedelta(days=2)))
        assert intervals == [(mon + 20 * H, mon + 30 * H)]
        assert cal.add(mon + 23 * H, 2 * H) == mon + 25 * H
        assert cal.elapsed(mon, mon + timedelta(days=7)) == 10 * H

    def test_adjacent_intervals_in_a_day_are_joined(self) -> None:
        cal = BusinessCalendar("UTC", {0: [("08:00", "12:00"), ("12:00", "17:00")]})
        assert cal.weekly_hours == {0: (("08:00", "17:00"),)}

    def test_open_intervals_clip_and_sum_to_elapsed(self) -> None:
        cal = standard()
        start = local(SAO_PAULO, 2026, 3, 9, 10)
        end = local(SAO_PAULO, 2026, 3, 11, 9)
        intervals = list(cal.open_intervals(start, end))
        assert intervals == [
            (start, local(SAO_PAULO, 2026, 3, 9, 17)),
            (local(SAO_PAULO, 2026, 3, 10, 8), local(SAO_PAULO, 2026, 3, 10, 17)),
            (local(SAO_PAULO, 2026, 3, 11, 8), end),
        ]
        assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in intervals)
        assert sum((b - a for a, b in intervals), timedelta(0)) == cal.elapsed(start, end)
        assert list(cal.open_intervals(end, start)) == []

    def test_properties(self) -> None:
        cal = standard(holidays={date(2026, 12, 25)})
        assert cal.timezone == "America/Sao_Paulo"
        assert cal.holidays == frozenset({date(2026, 12, 25)})
        assert isinstance(cal.holidays, frozenset)
        assert cal.weekly_hours == dict.fromkeys(range(5), (("08:00", "17:00"),))
        assert not cal.is_24x7
        assert cal == standard(holidays={date(2026, 12, 25)})
        assert hash(cal) == hash(standard(holidays={date(2026, 12, 25)}))
        assert cal != standard()
        assert "America/Sao_Paulo" in repr(cal)
        with pytest.raises(TypeError):
            cal.weekly_hours[5] = ()  # type: ignore[index]
        # Times may be given as datetime.time too; "24:00" is normalised as such.
        other = BusinessCalendar("UTC", {6: [(time(22, 0), "24:00")]})
        assert other.weekly_hours == {6: (("22:00", "24:00"),)}


# ---------------------------------------------------------------------------------------
# Daylight-saving time and odd offsets
# ---------------------------------------------------------------------------------------


def day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """Wide window (the local day +- one day) to measure one day's business time."""
    start = datetime.combine(day - timedelta(days=1), time(), zone)
    return start, start + timedelta(days=3)


class TestDaylightSaving:
    @pytest.mark.parametrize(
        ("zone_name", "day", "hours"),
        [
            ("America/New_York", date(2026, 3, 8), 23),
            ("America/New_York", date(2026, 11, 1), 25),
            ("Europe/Berlin", date(2026, 3, 29), 23),
            ("Europe/Berlin", date(2026, 10, 25), 25),
            ("Australia/Sydney", date(2026, 10, 4), 23),  # southern spring
            ("Australia/Sydney", date(2026, 4, 5), 25),  # southern autumn
            # Chile changes clocks at midnight: Saturday 24:00 -> 23:00 in April,
            # Sunday 00:00 -> 01:00 in September.
            ("America/Santiago", date(2026, 4, 4), 25),
            ("America/Santiago", date(2026, 9, 6), 23),
            ("America/St_Johns", date(2026, 3, 8), 23),
            ("America/St_Johns", date(2026, 11, 1), 25),
            ("Australia/Lord_Howe", date(2026, 10, 4), 23.5),  # half-hour DST
            ("Australia/Lord_Howe", date(2026, 4, 5), 24.5),
            ("America/Sao_Paulo", date(2026, 11, 1), 24),  # no DST any more
            ("Asia/Kolkata", date(2026, 3, 8), 24),
        ],
    )
    def test_whole_day_schedule_counts_real_hours(
        self, zone_name: str, day: date, hours: float
    ) -> None:
        zone = ZoneInfo(zone_name)
        cal = BusinessCalendar(zone_name, {day.weekday(): [("00:00", "24:00")]})
        start, end = day_bounds(zone, day)
        assert cal.elapsed(start, end) == timedelta(hours=hours)
        (interval,) = list(cal.open_intervals(start, end))
        assert interval[1] - interval[0] == timedelta(hours=hours)

    @pytest.mark.parametrize(
        ("day", "interval", "hours"),
        [
            # Spring forward 2026-03-08: 02:00-03:00 does not exist.
            (date(2026, 3, 8), ("01:00", "04:00"), 2),
            (date(2026, 3, 8), ("00:00", "03:00"), 2),
            (date(2026, 3, 8), ("02:00", "03:00"), 0),
            (date(2026, 3, 8), ("02:15", "02:45"), 0),
            (date(2026, 3, 8), ("02:30", "05:00"), 2),
            (date(2026, 3, 8), ("01:30", "02:30"), 0.5),
            # Fall back 2026-11-01: 01:00-02:00 happens twice.
            (date(2026, 11, 1), ("00:00", "03:00"), 4),
            (date(2026, 11, 1), ("01:00", "04:00"), 4),
            (date(2026, 11, 1), ("01:00", "02:00"), 2),
            (date(2026, 11, 1), ("01:30", "03:00"), 2),
            (date(2026, 11, 1), ("00:00", "01:30"), 2),
            (date(2026, 11, 1), ("03:00", "05:00"), 2),
        ],
    )
    def test_new_york_intervals_cut_by_dst(
        self, day: date, interval: tuple[str, str], hours: float
    ) -> None:
        cal = BusinessCalendar("America/New_York", {day.weekday(): [interval]})
        start, end = day_bounds(NEW_YORK, day)
        assert cal.elapsed(start, end) == timedelta(hours=hours)

    def test_spring_forward_gap_boundaries_snap_to_transition(self) -> None:
        # The transition is 2026-03-08 07:00 UTC (02:00 EST -> 03:00 EDT).
        cal = BusinessCalendar("America/New_York", {6: [("02:30", "05:00")]})
        start, end = day_bounds(NEW_YORK, date(2026, 3, 8))
        assert list(cal.open_intervals(start, end)) == [(utc(2026, 3, 8, 7), utc(2026, 3, 8, 9))]
        cal = BusinessCalendar("America/New_York", {6: [("00:00", "02:30")]})
        assert list(cal.open_intervals(start, end)) == [(utc(2026, 3, 8, 5), utc(2026, 3, 8, 7))]

    def test_spring_forward_add(self) -> None:
        cal = BusinessCalendar("America/New_York", {6: [("01:00", "04:00")]})
        start = local(NEW_YORK, 2026, 3, 8, 0, 0)
        assert (
            cal.add(start, 90 * M) == local(NEW_YORK, 2026, 3, 8, 3, 30) == utc(2026, 3, 8, 7, 30)
        )
        assert cal.add(start, 2 * H) == local(NEW_YORK, 2026, 3, 8, 4, 0)
        assert cal.add(start, 2 * H + M) == local(NEW_YORK, 2026, 3, 15, 1, 1)

    def test_fall_back_repeated_hour_counts_twice(self) -> None:
        cal = BusinessCalendar("America/New_York", {6: [("00:00", "03:00")]})
        start = local(NEW_YORK, 2026, 11, 1, 0, 0)
        assert cal.add(start, 90 * M) == local(NEW_YORK, 2026, 11, 1, 1, 30, fold=0)
        assert cal.add(start, 150 * M) == local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1)
        assert cal.add(start, 4 * H) == local(NEW_YORK, 2026, 11, 1, 3, 0)
        assert cal.is_open(local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1))

    def test_fall_back_partial_repeated_hour(self) -> None:
        # 01:30-03:00: the first 01:30-02:00 (EDT) and the second 01:30-03:00 (EST), but
        # not the second 01:00-01:30, whose wall-clock time is outside the interval.
        cal = BusinessCalendar("America/New_York", {6: [("01:30", "03:00")]})
        start, end = day_bounds(NEW_YORK, date(2026, 11, 1))
        assert list(cal.open_intervals(start, end)) == [
            (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 0)),
            (utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 8, 0)),
        ]
        assert not cal.is_open(local(NEW_YORK, 2026, 11, 1, 1, 15, fold=1))
        assert cal.add(local(NEW_YORK, 2026, 11, 1, 1, 45, fold=0), 30 * M) == local(
            NEW_YORK, 2026, 11, 1, 1, 45, fold=1
        )

    def test_standard_hours_unaffected_by_night_transition(self) -> None:
        cal = standard("America/New_York")
        fri = local(NEW_YORK, 2026, 3, 6, 16)
        assert cal.add(fri, 2 * H) == local(NEW_YORK, 2026, 3, 9, 9) == utc(2026, 3, 9, 13)
        assert cal.elapsed(fri, local(NEW_YORK, 2026, 3, 9, 10)) == 3 * H
        berlin = standard("Europe/Berlin")
        fri = local(BERLIN, 2026, 10, 23, 16)
        assert berlin.add(fri, 2 * H) == local(BERLIN, 2026, 10, 26, 9) == utc(2026, 10, 26, 8)
        sydney = standard("Australia/Sydney")
        syd = ZoneInfo("Australia/Sydney")
        fri = local(syd, 2026, 10, 2, 16)
        assert sydney.add(fri, 2 * H) == local(syd, 2026, 10, 5, 9) == utc(2026, 10, 4, 22)

    @pytest.mark.parametrize(
        ("zone_name", "opening_utc"),
        [
            ("Asia/Kolkata", utc(2026, 1, 12, 2, 30)),  # +05:30
            ("Asia/Kathmandu", utc(2026, 1, 12, 2, 15)),  # +05:45
            ("America/St_Johns", utc(2026, 1, 12, 11, 30)),  # -03:30 in winter
            ("America/St_Johns", utc(2026, 7, 13, 10, 30)),  # -02:30 in summer
            ("Asia/Tokyo", utc(2026, 1, 11, 23, 0)),  # +09:00
        ],
    )
    def test_fractional_offsets(self, zone_name: str, opening_utc: datetime) -> None:
        cal = standard(zone_name)
        sunday_noon = opening_utc - timedelta(hours=20)
        assert cal.add(sunday_noon, 30 * M) == opening_utc + 30 * M
        assert cal.is_open(opening_utc)
        assert not cal.is_open(opening_utc - timedelta(microseconds=1))
        assert cal.elapsed(opening_utc - H, opening_utc + 10 * H) == 9 * H


# ---------------------------------------------------------------------------------------
# Invalid input
# ---------------------------------------------------------------------------------------


class TestValidation:
    @pytest.mark.parametrize(
        ("weekly_hours", "message"),
        [
            ({0: [("08:00", "12:00"), ("11:00", "13:00")]}, "overlapping"),
            ({0: [("08:00", "17:00"), ("08:00", "17:00")]}, "overlapping"),
            ({0: [("17:00", "08:00")]}, "inverted"),
            ({0: [("08:00", "08:00")]}, "empty or inverted"),
            ({0: [("08:00", "25:00")]}, "out of range"),
            ({0: [("08:60", "17:00")]}, "out of range"),
            ({0: [("24:30", "24:45")]}, "out of range"),
            ({0: [("8am", "5pm")]}, "malformed"),
            ({0: [("08:00", "")]}, "malformed"),
            ({0: [("0800", "1700")]}, "malformed"),
            ({0: [(8, 17)]}, "must be an 'HH:MM' string"),
            ({0: [("24:00", "24:00")]}, "only allowed as the end"),
            ({0: [("08:00",)]}, "pair"),
            ({0: "08:00-17:00"}, "list of"),
            ({7: [("08:00", "17:00")]}, "weekday"),
            ({-1: [("08:00", "17:00")]}, "weekday"),
            ({"0": [("08:00", "17:00")]}, "weekday"),
            ({True: [("08:00", "17:00")]}, "weekday"),
            ({}, "no open time"),
            ({0: [], 3: []}, "no open time"),
            ([("08:00", "17:00")], "mapping"),
        ],
    )
    def test_bad_weekly_hours(self, weekly_hours: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            BusinessCalendar("UTC", weekly_hours)  # type: ignore[arg-type]

    @pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd", "Europe/berlin!"])
    def test_unknown_time_zone(self, zone: str) -> None:
        with pytest.raises(ValueError, match="time zone"):
            BusinessCalendar(zone, STANDARD_HOURS)

    def test_bad_holidays(self) -> None:
        with pytest.raises(ValueError, match="holiday"):
            BusinessCalendar("UTC", STANDARD_HOURS, holidays={datetime(2026, 12, 25)})
        with pytest.raises(ValueError, match="holiday"):
            BusinessCalendar("UTC", STANDARD_HOURS, holidays=["2026-12-25"])  # type: ignore[list-item]

    def test_naive_datetimes_rejected(self) -> None:
        cal = standard()
        naive = datetime(2026, 3, 9, 10)
        aware = naive.replace(tzinfo=UTC)
        with pytest.raises(ValueError, match="start must be a time-zone aware"):
            cal.add(naive, H)
        with pytest.raises(ValueError, match="aware"):
            cal.elapsed(naive, aware)
        with pytest.raises(ValueError, match="end must be a time-zone aware"):
            cal.elapsed(aware, naive)
        with pytest.raises(ValueError, match="aware"):
            cal.is_open(naive)
        with pytest.raises(ValueError, match="aware"):
            cal.open_intervals(aware, naive)  # raised eagerly, not on iteration
        with pytest.raises(ValueError, match="aware"):
            BusinessCalendar.always_open().add(naive, H)

    def test_wrong_types_rejected(self) -> None:
        cal = standard()
        with pytest.raises(TypeError):
            cal.add(date(2026, 3, 9), H)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            cal.add(utc(2026, 3, 9), 3600)  # type: ignore[arg-type]

    def test_negative_duration_rejected(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            standard().add(utc(2026, 3, 9), -S)
        with pytest.raises(ValueError, match="negative"):
            BusinessCalendar.always_open().add(utc(2026, 3, 9), -S)

    def test_every_open_day_a_holiday_raises_quickly(self) -> None:
        # Open only on Wednesdays, and every Wednesday for 30 years is a holiday.
        first = date(2026, 1, 7)
        wednesdays = {first + timedelta(weeks=n) for n in range(52 * 30)}
        cal = BusinessCalendar("America/Sao_Paulo", {2: [("09:00", "10:00")]}, wednesdays)
        began = time_module.perf_counter()
        with pytest.raises(ValueError, match="no business time within"):
            cal.add(utc(2026, 1, 1), M)
        assert time_module.perf_counter() - began < 5
        # elapsed over the same span is simply zero, and is_open is False.
        assert cal.elapsed(utc(2026, 1, 1), utc(2030, 1, 1)) == timedelta(0)
        assert not cal.is_open(local(SAO_PAULO, 2026, 1, 7, 9, 30))
        # Once the holidays run out, business time resumes.
        after = max(wednesdays)
        assert cal.add(datetime.combine(after, time(), SAO_PAULO), M) == datetime.combine(
            after + timedelta(weeks=1), time(9, 1), SAO_PAULO
        )

    def test_long_but_finite_closure_is_fine(self) -> None:
        wednesdays = {date(2026, 1, 7) + timedelta(weeks=n) for n in range(52 * 4)}
        cal = BusinessCalendar("UTC", {2: [("09:00", "10:00")]}, wednesdays)
        due = cal.add(utc(2026, 1, 1), M)
        assert due == datetime.combine(max(wednesdays) + timedelta(weeks=1), time(9, 1), UTC)


# ---------------------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "America/Sao_Paulo",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/Santiago",
    "America/St_Johns",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Havana",
    "Africa/Casablanca",
    "Asia/Tokyo",
]

INTERESTING_MINUTES = [0, 30, 60, 90, 120, 150, 180, 210, 240, 480, 1020, 1380, 1410, 1440]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def transition_days(zone_name: str) -> tuple[date, ...]:
    """UTC dates in 2025-2027 on which the zone's UTC offset changes."""
    zone = ZoneInfo(zone_name)
    days = []
    day = datetime(2025, 1, 1, tzinfo=UTC)
    previous = day.astimezone(zone).utcoffset()
    while day.year < 2028:
        day += timedelta(days=1)
        current = day.astimezone(zone).utcoffset()
        if current != previous:
            days.append((day - timedelta(days=1)).date())
        previous = current
    return tuple(days)


def minutes_to_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def schedules(draw: st.DrawFn) -> dict[int, list[tuple[int, int]]]:
    """Random weekly hours in minutes: 0-3 disjoint intervals on random weekdays."""
    boundary = st.one_of(st.sampled_from(INTERESTING_MINUTES), st.integers(0, 1440))
    week: dict[int, list[tuple[int, int]]] = {}
    for weekday in range(7):
        points = sorted(draw(st.sets(boundary, max_size=6)))
        if len(points) % 2:
            points = points[:-1]
        pairs = list(zip(points[::2], points[1::2], strict=True))
        if pairs:
            week[weekday] = pairs
    if not week:
        week[draw(st.integers(0, 6))] = [(480, 1020)]
    return week


def to_weekly_hours(week: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[str, str]]]:
    return {
        d: [(minutes_to_text(a), minutes_to_text(b)) for a, b in pairs] for d, pairs in week.items()
    }


@st.composite
def starts(
    draw: st.DrawFn, zone_name: str, whole_minutes: bool = True
) -> tuple[datetime, datetime]:
    """A start instant, often near a DST transition: ``(in UTC, in a random zone)``.

    Tests do arithmetic on the UTC form only: adding a timedelta to a datetime in a
    ZoneInfo zone is wall-clock arithmetic, and PEP 495 makes ``==`` between zones
    False for times in a repeated hour.  The other form is what the calendar is given.
    """
    near = transition_days(zone_name)
    use_near = draw(st.booleans())
    if near and use_near:
        day = draw(st.sampled_from(near)) + timedelta(days=draw(st.integers(-3, 1)))
    else:
        day = draw(st.dates(date(2000, 1, 1), date(2037, 12, 31)))
    base = datetime.combine(day, time(), UTC)
    if whole_minutes:
        instant = base + timedelta(minutes=draw(st.integers(0, 1439)))
    else:
        instant = base + timedelta(microseconds=draw(st.integers(0, 86_400 * 10**6 - 1)))
    representation = draw(
        st.sampled_from([UTC, TOKYO, ZoneInfo(zone_name), dt_timezone(timedelta(hours=-3))])
    )
    return instant, instant.astimezone(representation)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[BusinessCalendar, str, dict[int, list[tuple[int, int]]]]:
    zone_name = draw(st.sampled_from(ZONES))
    week = draw(schedules())
    return BusinessCalendar(zone_name, to_weekly_hours(week)), zone_name, week


def reference_open_minutes(
    zone_name: str,
    week: dict[int, list[tuple[int, int]]],
    holidays: set[date],
    start: datetime,
    minutes: int,
) -> list[bool]:
    """Slow reference: for each UTC minute from ``start``, is its local wall clock open?

    Deliberately independent of the implementation: it converts every minute to local
    wall-clock time with zoneinfo and looks the wall time up in the schedule.  (All zones
    used here have whole-minute offsets and transitions after 2000, so business time is
    constant within each minute.)
    """
    zone = ZoneInfo(zone_name)
    instant = start.astimezone(UTC)
    flags = []
    for _ in range(minutes):
        wall = instant.astimezone(zone)
        assert wall.second == 0 and wall.microsecond == 0
        minute_of_day = wall.hour * 60 + wall.minute
        flags.append(
            wall.date() not in holidays
            and any(a <= minute_of_day < b for a, b in week.get(wall.weekday(), ()))
        )
        instant += M
    return flags


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_add_and_elapsed_match_minute_by_minute_reference(data: st.DataObject) -> None:
    zone_name = data.draw(st.sampled_from(ZONES), label="zone")
    week = data.draw(schedules(), label="week")
    start, shown = data.draw(starts(zone_name), label="start")
    window = data.draw(st.integers(1, 4 * 1440), label="window_minutes")
    first_day = start.astimezone(UTC).date()
    holidays = data.draw(
        st.sets(st.dates(first_day - timedelta(days=1), first_day + timedelta(days=5)), max_size=3),
        label="holidays",
    )
    cal = BusinessCalendar(zone_name, to_weekly_hours(week), holidays)
    flags = reference_open_minutes(zone_name, week, holidays, shown, window)
    end = start + window * M

    assert cal.elapsed(shown, end) == sum(flags) * M
    intervals = list(cal.open_intervals(shown, end))
    assert sum((b - a for a, b in intervals), timedelta(0)) == sum(flags) * M
    for i, flag in enumerate(flags):
        assert cal.is_open(start + i * M) == flag

    total = sum(flags)
    target = data.draw(st.integers(0, min(total + 60, 30 * 60)), label="target_minutes")
    if target == 0:
        expected = start
    elif target <= total:
        seen = 0
        for i, flag in enumerate(flags):
            seen += flag
            if seen == target:
                expected = start + (i + 1) * M
                break
    else:
        assert cal.add(shown, target * M) > end
        return
    assert cal.add(shown, target * M) == expected


durations = st.integers(0, 400 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), d=durations)
def test_elapsed_inverts_add(data: st.DataObject, d: timedelta) -> None:
    cal, zone_name, _ = data.draw(calendars())
    start, shown = data.draw(starts(zone_name, whole_minutes=False))
    due = cal.add(shown, d)
    assert due >= start
    assert cal.elapsed(start, due) == d
    if d:  # earliest such instant: just before it, less business time has passed
        assert cal.elapsed(start, due - timedelta(microseconds=1)) < d


@settings(max_examples=200, deadline=None)
@given(data=st.data(), d1=durations, d2=durations)
def test_add_is_additive(data: st.DataObject, d1: timedelta, d2: timedelta) -> None:
    cal, zone_name, _ = data.draw(calendars())
    start, shown = data.draw(starts(zone_name, whole_minutes=False))
    assert cal.add(shown, d1 + d2) == cal.add(cal.add(start, d1), d2)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), d1=durations, d2=durations, shift=durations)
def test_add_is_monotonic(
    data: st.DataObject, d1: timedelta, d2: timedelta, shift: timedelta
) -> None:
    cal, zone_name, _ = data.draw(calendars())
    start, shown = data.draw(starts(zone_name, whole_minutes=False))
    small, large = sorted((d1, d2))
    assert cal.add(shown, small) <= cal.add(start, large)
    later = start + shift / 100
    assert cal.add(start, d1) <= cal.add(later, d1)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_is_open_agrees_with_one_second_elapsed(data: st.DataObject) -> None:
    cal, zone_name, week = data.draw(calendars())
    start, shown = data.draw(starts(zone_name))
    # Probe each schedule boundary of the first local days, and the second before it.
    zone = ZoneInfo(zone_name)
    local_day = start.astimezone(zone).date()
    probes = [shown, start, start - S]
    for offset in range(-1, 3):
        day = local_day + timedelta(days=offset)
        for a, b in week.get(day.weekday(), ()):
            for minute in (a, b):
                wall = datetime.combine(day, time(), zone) + timedelta(minutes=minute)
                instant = wall.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)
                probes += [instant - S, instant, instant + S]
    for t in probes:
        # One second later computed in UTC: adding to a zone-local `shown` in a repeated
        # hour (fold=1) would be wall-clock arithmetic and land an hour earlier.
        assert cal.is_open(t) == (cal.elapsed(t, t.astimezone(UTC) + S) == S), t


@settings(max_examples=200, deadline=None)
@given(data=st.data(), span=durations)
def test_open_intervals_are_sorted_disjoint_and_open(data: st.DataObject, span: timedelta) -> None:
    cal, zone_name, _ = data.draw(calendars())
    start, shown = data.draw(starts(zone_name, whole_minutes=False))
    end = start + span / 10
    intervals = list(cal.open_intervals(shown, end))
    for (_, b), (c, _) in zip(intervals, intervals[1:], strict=False):
        assert b < c  # disjoint and maximal (never merely adjacent)
    for a, b in intervals:
        assert start <= a < b <= end
        assert cal.is_open(a)
        assert cal.is_open(b - timedelta(microseconds=1))
        assert b == end or not cal.is_open(b)
    assert sum((b - a for a, b in intervals), timedelta(0)) == cal.elapsed(start, end)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), d=durations)
def test_premium_matches_plain_arithmetic(data: st.DataObject, d: timedelta) -> None:
    zone_name = data.draw(st.sampled_from(ZONES))
    start, shown = data.draw(starts(zone_name, whole_minutes=False))
    for cal in (BusinessCalendar.always_open(), BusinessCalendar(zone_name, FULL_DAYS)):
        assert cal.add(shown, d) == start + d
        assert cal.elapsed(shown, start + d) == d
    # A 24x7 schedule minus one holiday is handled by the general path; off that day it
    # still agrees with plain arithmetic.
    holiday = start.astimezone(ZoneInfo(zone_name)).date() - timedelta(days=2)
    general = BusinessCalendar(zone_name, FULL_DAYS, {holiday})
    assert not general.is_24x7
    assert general.add(shown, min(d, timedelta(hours=20))) == start + min(d, timedelta(hours=20))


# ---------------------------------------------------------------------------------------
# Purity
# ---------------------------------------------------------------------------------------


def test_module_does_not_import_django() -> None:
    code = (
        "import sys; import sla.calendar; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_second_pass_of_a_repeated_hour_is_open_and_counts():
    # Found by the property above: Morocco leaves +01 for Ramadan at 03:00 on Sunday
    # 2025-02-23, so 02:00-03:00 happens twice; both passes of 02:00-02:30 are business time.
    casablanca = ZoneInfo("Africa/Casablanca")
    cal = BusinessCalendar(timezone="Africa/Casablanca", weekly_hours={6: [("00:00", "02:30")]})
    second_pass = local(casablanca, 2025, 2, 23, 2, 0, fold=1)
    assert second_pass == datetime(2025, 2, 23, 2, 0, tzinfo=UTC)
    assert cal.is_open(second_pass)
    assert cal.elapsed(second_pass, second_pass + S) == S
    day = datetime(2025, 2, 22, 12, tzinfo=UTC)
    assert cal.elapsed(day, day + timedelta(days=1)) == timedelta(hours=3)  # 2h30 + 30 min
