"""Business-time arithmetic on a weekly schedule in a customer's time zone.

This module is pure Python (standard library only, time zones via :mod:`zoneinfo`) and
has no Django dependency, so it can be used and tested without a database.

Contract
========

A :class:`BusinessCalendar` is a weekly schedule of opening hours, expressed in local
wall-clock time of one IANA time zone, minus whole-day local holidays.

* **Business time passes during exactly those real instants whose local wall-clock time
  (local date and time) lies inside the schedule** -- i.e. inside one of the half-open
  ``[open, close)`` intervals of that local date's weekday, on a local date that is not a
  holiday.  Consequences around daylight-saving-time changes:

  - time outside the schedule is never stretched or shortened by a DST change;
  - a schedule interval cut by a spring-forward gap is cut in real time too: ``00:00-24:00``
    on a spring-forward day is 23 real hours, ``01:00-04:00`` on a day where
    ``02:00-03:00`` does not exist lasts 2 real hours.  A boundary that falls inside the
    gap behaves as the transition instant (the moment the wall clock jumps over it);
  - a repeated (fall-back) wall-clock hour counts twice when it is inside the schedule:
    ``00:00-03:00`` on a fall-back day is 4 real hours.  When only part of the repeated
    hour is inside the schedule, only the real instants whose wall-clock reading is
    inside count (so an interval may map to two disjoint stretches of real time).

* :meth:`BusinessCalendar.add` returns the *earliest* instant ``t >= start`` at which the
  business time in ``[start, t]`` equals the duration.  A 9-hour target from Monday 08:00
  on a 08:00-17:00 schedule is due Monday 17:00 (not Tuesday 08:00); a ticket filed
  while closed starts its clock at the next opening; ``add(start, 0) == start``.
* :meth:`BusinessCalendar.elapsed` returns the business time in ``[start, end]``
  (``timedelta(0)`` when ``end <= start``).
* :meth:`BusinessCalendar.is_open` tells whether an instant lies inside a half-open
  business interval ``[open, close)``.
* All datetimes passed in must be time-zone aware (any zone); all datetimes returned are
  in UTC.  Invalid input raises :class:`ValueError` with a message saying what is wrong
  (wrong Python types raise :class:`TypeError`).

The implementation works interval by interval (never minute by minute).  Real time is cut
into UTC days; for each UTC day the business intervals are computed once (from the
zone's UTC offsets and the schedule) and memoised (shared by equal calendars), together
with per-day and per-week totals, so the cost of :meth:`add` / :meth:`elapsed` grows with
the number of days (weeks, for long spans) crossed, not with the length of the target.

Offset changes are located by sampling the zone's UTC offset every twelve hours and
bisecting to the second between samples that differ.  This assumes a zone never changes
its offset twice within twelve hours; in the IANA database the closest two offset changes
of any zone are about four days apart (Africa/Freetown, 1939).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["MAX_CONSECUTIVE_CLOSED_DAYS", "BusinessCalendar", "TimeSpec", "WeeklyHoursInput"]

TimeSpec = str | time
"""A wall-clock time: ``"HH:MM"`` (or ``"HH:MM:SS"``) string, or a naive :class:`time`."""

WeeklyHoursInput = Mapping[int, Iterable[Sequence[TimeSpec]]]
"""Weekday (Monday = 0 ... Sunday = 6) -> iterable of ``(open, close)`` pairs."""

MAX_CONSECUTIVE_CLOSED_DAYS: Final = 366 * 5
""":meth:`BusinessCalendar.add` gives up (``ValueError``) after this many closed days."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_EPOCH_WEEKDAY: Final = 3  # 1970-01-01 was a Thursday
_ONE_US: Final = timedelta(microseconds=1)
_DAY_S: Final = 86_400
_US_PER_S: Final = 1_000_000
_DAY_US: Final = _DAY_S * _US_PER_S
_OFFSET_SAMPLE_S: Final = 12 * 3600
_CACHE_LIMIT: Final = 20_000  # memoised UTC days (and weeks) per distinct calendar
_SHARED_MEMO_LIMIT: Final = 64  # distinct calendars whose memos are kept
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_TIME_RE: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")

# One UTC day: its business intervals as (start_us, end_us) pairs since the epoch,
# sorted, disjoint, non-adjacent, within the day; and their total length in microseconds.
_DayIntervals = tuple[tuple[tuple[int, int], ...], int]
_Week = tuple[tuple[tuple[int, int], ...], ...]
_Key = tuple[str, _Week, frozenset[date]]
_Memo = tuple[dict[int, _DayIntervals], dict[int, int]]

# Memos of per-day intervals and per-week totals, shared by equal calendars, so that
# building a new calendar for every request (e.g. from a stored policy) stays cheap.
# Insertion-ordered; the oldest calendar's memo is dropped beyond the limit.
_shared_memos: dict[_Key, _Memo] = {}
_shared_memos_lock = threading.Lock()


def _shared_memo(key: _Key) -> _Memo:
    with _shared_memos_lock:
        memo = _shared_memos.get(key)
        if memo is None:
            while len(_shared_memos) >= _SHARED_MEMO_LIMIT:
                del _shared_memos[next(iter(_shared_memos))]
            memo = ({}, {})
            _shared_memos[key] = memo
        return memo


def _format_seconds(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if secs:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}"


_MALFORMED: Final = -1
_OUT_OF_RANGE: Final = -2


@functools.lru_cache(maxsize=1024)
def _clock_text_seconds(value: str) -> int:
    """Seconds since midnight for ``"HH:MM[:SS]"``, or ``_MALFORMED`` / ``_OUT_OF_RANGE``."""
    match = _TIME_RE.fullmatch(value)
    if match is None:
        return _MALFORMED
    hours, minutes = int(match.group(1)), int(match.group(2))
    secs = int(match.group(3) or 0)
    if minutes > 59 or secs > 59 or hours > 24 or (hours == 24 and (minutes or secs)):
        return _OUT_OF_RANGE
    return hours * 3600 + minutes * 60 + secs


def _parse_time(value: object, *, weekday: int, is_end: bool) -> int:
    """Return seconds since local midnight for one interval boundary."""
    day = _WEEKDAY_NAMES[weekday]
    if isinstance(value, str):
        seconds = _clock_text_seconds(value)
        if seconds == _MALFORMED:
            raise ValueError(
                f"malformed time {value!r} on {day}: expected 'HH:MM' between 00:00 and 24:00"
            )
        if seconds == _OUT_OF_RANGE:
            raise ValueError(f"time {value!r} on {day} is out of range: expected 00:00 to 24:00")
    elif isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"time {value!r} on {day} must be naive (wall-clock) time")
        if value.microsecond:
            raise ValueError(f"time {value!r} on {day} must not have microseconds")
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    else:
        raise ValueError(
            f"time {value!r} on {day} must be an 'HH:MM' string or a datetime.time, "
            f"not {type(value).__name__}"
        )
    if seconds == _DAY_S and not is_end:
        raise ValueError(f"'24:00' on {day} is only allowed as the end of an interval")
    return seconds


def _parse_weekly_hours(weekly_hours: object) -> _Week:
    """Validate and normalise the weekly schedule into seconds-of-day intervals."""
    if not isinstance(weekly_hours, (dict, Mapping)):
        raise ValueError(
            "weekly_hours must be a mapping of weekday (Monday=0 .. Sunday=6) "
            f"to a list of (open, close) pairs, not {type(weekly_hours).__name__}"
        )
    week: list[tuple[tuple[int, int], ...]] = [() for _ in range(7)]
    for key, raw_intervals in weekly_hours.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 6:
            raise ValueError(
                f"weekday key {key!r} is invalid: expected an integer 0 (Monday) to 6 (Sunday)"
            )
        day = _WEEKDAY_NAMES[key]
        if not isinstance(raw_intervals, (list, tuple)) and (
            isinstance(raw_intervals, (str, bytes)) or not isinstance(raw_intervals, Iterable)
        ):
            raise ValueError(f"hours for {day} must be a list of (open, close) pairs")
        parsed: list[tuple[int, int]] = []
        for pair in raw_intervals:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(
                    f"interval {pair!r} on {day} must be an (open, close) pair such as "
                    "('08:00', '17:00')"
                )
            start = _parse_time(pair[0], weekday=key, is_end=False)
            end = _parse_time(pair[1], weekday=key, is_end=True)
            if start >= end:
                raise ValueError(
                    f"interval {_format_seconds(start)}-{_format_seconds(end)} on {day} is "
                    "empty or inverted (open must be before close; split overnight hours "
                    "at midnight, e.g. 22:00-24:00 plus 00:00-06:00 the next day)"
                )
            parsed.append((start, end))
        parsed.sort()
        merged: list[tuple[int, int]] = []
        for start, end in parsed:
            if merged and start < merged[-1][1]:
                prev = merged[-1]
                raise ValueError(
                    f"overlapping intervals on {day}: "
                    f"{_format_seconds(prev[0])}-{_format_seconds(prev[1])} and "
                    f"{_format_seconds(start)}-{_format_seconds(end)}"
                )
            if merged and start == merged[-1][1]:
                merged[-1] = (merged[-1][0], end)  # adjacent intervals: join them
            else:
                merged.append((start, end))
        week[key] = tuple(merged)
    if not any(week):
        raise ValueError("weekly_hours has no open time: at least one interval is required")
    return tuple(week)


def _parse_holidays(holidays: Iterable[date] | None) -> frozenset[date]:
    if holidays is None:
        return frozenset()
    if isinstance(holidays, (str, bytes)) or not isinstance(holidays, Iterable):
        raise ValueError("holidays must be an iterable of datetime.date (local dates)")
    result: set[date] = set()
    for item in holidays:
        if isinstance(item, datetime) or not isinstance(item, date):
            raise ValueError(
                f"holiday {item!r} must be a datetime.date (a local calendar date), "
                f"not {type(item).__name__}"
            )
        result.add(item)
    return frozenset(result)


def _load_zone(timezone: object) -> ZoneInfo:
    if isinstance(timezone, ZoneInfo):
        if not timezone.key:
            raise ValueError("time zone must be a named IANA zone (ZoneInfo without a key)")
        return timezone
    if not isinstance(timezone, str) or not timezone:
        raise ValueError(
            f"time zone must be an IANA zone name such as 'Europe/Berlin', got {timezone!r}"
        )
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc


class BusinessCalendar:
    """Opening hours in one time zone; see the module docstring for the exact contract.

    Args:
        timezone: IANA time-zone name (e.g. ``"America/Sao_Paulo"``) in which the weekly
            hours and the holidays are expressed.
        weekly_hours: weekday (Monday = 0 ... Sunday = 6) -> list of ``(open, close)``
            pairs of ``"HH:MM"`` strings (or naive :class:`datetime.time`); ``"24:00"`` is
            allowed as a close.  Intervals of one day must not overlap; adjacent ones are
            joined.  Missing weekdays are closed.
        holidays: local dates that are closed all day.

    Raises:
        ValueError: unknown time zone, malformed / out-of-range times, inverted or
            overlapping intervals, weekday keys outside 0..6, or no open time at all.

    Instances are immutable (apart from an internal memo of per-day intervals), hashable
    and compare equal when zone, hours and holidays are equal.
    """

    __slots__ = (
        "_zone",
        "_week",
        "_holidays",
        "_holiday_days",
        "_is_24x7",
        "_day_cache",
        "_week_cache",
    )

    _zone: ZoneInfo
    _week: _Week
    _holidays: frozenset[date]
    _holiday_days: frozenset[int]
    _is_24x7: bool
    _day_cache: dict[int, _DayIntervals]
    _week_cache: dict[int, int]

    def __init__(
        self,
        timezone: str | ZoneInfo,
        weekly_hours: WeeklyHoursInput,
        holidays: Iterable[date] | None = (),
    ) -> None:
        self._zone = _load_zone(timezone)
        self._week = _parse_weekly_hours(weekly_hours)
        self._holidays = _parse_holidays(holidays)
        self._holiday_days = frozenset(h.toordinal() - _EPOCH_ORDINAL for h in self._holidays)
        # Whole local days every day with no holidays cover every real instant, whatever
        # the zone's offset changes: that is the 24x7 calendar.
        self._is_24x7 = not self._holidays and all(day == ((0, _DAY_S),) for day in self._week)
        self._day_cache, self._week_cache = _shared_memo(self._key())

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        """The 24x7 calendar: ``add`` is ``start + duration``, ``elapsed`` is ``end - start``."""
        return cls("UTC", {day: [("00:00", "24:00")] for day in range(7)})

    # -- read-only properties ---------------------------------------------------------

    @property
    def timezone(self) -> str:
        """IANA name of the zone in which the hours and holidays are expressed."""
        return str(self._zone.key)

    @property
    def weekly_hours(self) -> Mapping[int, tuple[tuple[str, str], ...]]:
        """Normalised schedule: open weekdays only, intervals sorted and adjacent ones joined,
        times as ``"HH:MM"`` (``"HH:MM:SS"`` if seconds are used; ``"24:00"`` for midnight
        at the end of a day)."""
        return MappingProxyType(
            {
                weekday: tuple((_format_seconds(a), _format_seconds(b)) for a, b in intervals)
                for weekday, intervals in enumerate(self._week)
                if intervals
            }
        )

    @property
    def holidays(self) -> frozenset[date]:
        """Local dates closed all day."""
        return self._holidays

    @property
    def is_24x7(self) -> bool:
        """True when every instant is business time (every day 00:00-24:00, no holidays)."""
        return self._is_24x7

    # -- dunder ------------------------------------------------------------------------

    def _key(self) -> _Key:
        return (self.timezone, self._week, self._holidays)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        hours = dict(self.weekly_hours)
        holidays = sorted(self._holidays)
        return (
            f"BusinessCalendar(timezone={self.timezone!r}, weekly_hours={hours!r}, "
            f"holidays={holidays!r})"
        )

    # -- public API ----------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Earliest instant ``t >= start`` with ``elapsed(start, t) == duration`` (in UTC).

        ``add(start, timedelta(0))`` is ``start`` (converted to UTC), even when closed.

        Raises:
            ValueError: naive ``start``, negative ``duration``, no business time within
                :data:`MAX_CONSECUTIVE_CLOSED_DAYS` consecutive days (e.g. every open day
                is a holiday for years), or a result outside the datetime range.
        """
        s = _instant_us(start, "start")
        remaining = _duration_us(duration)
        if remaining == 0 or self._is_24x7:
            return _from_us(s + remaining)
        k = s // _DAY_US
        closed_days = 0
        while True:
            day_start = k * _DAY_US
            if day_start >= s and k % 7 == 0:
                week_total = self._week_total(k // 7)
                if week_total < remaining:
                    remaining -= week_total
                    closed_days = closed_days + 7 if week_total == 0 else 0
                    self._check_closed(closed_days, start)
                    k += 7
                    continue
            intervals, total = self._utc_day(k)
            if total == 0:
                closed_days += 1
                self._check_closed(closed_days, start)
            else:
                closed_days = 0
                if day_start >= s and total < remaining:
                    remaining -= total
                else:
                    for a, b in intervals:
                        if b <= s:
                            continue
                        lo = a if a > s else s
                        span = b - lo
                        if span >= remaining:
                            return _from_us(lo + remaining)
                        remaining -= span
            k += 1

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time within ``[start, end]``; ``timedelta(0)`` when ``end <= start``.

        Raises:
            ValueError: naive ``start`` or ``end``.
        """
        s = _instant_us(start, "start")
        e = _instant_us(end, "end")
        if e <= s:
            return timedelta(0)
        if self._is_24x7:
            return timedelta(microseconds=e - s)
        total = 0
        k = s // _DAY_US
        last = (e - 1) // _DAY_US
        while k <= last:
            day_start = k * _DAY_US
            if day_start >= s and k % 7 == 0 and (k + 7) * _DAY_US <= e:
                total += self._week_total(k // 7)
                k += 7
                continue
            intervals, day_total = self._utc_day(k)
            if day_start >= s and day_start + _DAY_US <= e:
                total += day_total
            else:
                for a, b in intervals:
                    lo = a if a > s else s
                    hi = b if b < e else e
                    if lo < hi:
                        total += hi - lo
            k += 1
        return timedelta(microseconds=total)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` lies inside a half-open business interval ``[open, close)``.

        Raises:
            ValueError: naive ``at``.
        """
        u = _instant_us(at, "at")
        if self._is_24x7:
            return True
        intervals, _ = self._utc_day(u // _DAY_US)
        return any(a <= u < b for a, b in intervals)

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Business intervals overlapping ``[start, end]``, clipped to it, as UTC pairs.

        The pairs are sorted, disjoint and maximal (a stretch of business time that spans
        local or UTC midnight is one pair); their lengths sum to ``elapsed(start, end)``.
        Arguments are validated immediately; the intervals are produced lazily.

        Raises:
            ValueError: naive ``start`` or ``end``.
        """
        s = _instant_us(start, "start")
        e = _instant_us(end, "end")
        return self._iter_open(s, e)

    def cache_clear(self) -> None:
        """Forget the memoised per-day intervals (of this and equal calendars).

        Only useful to bound memory or in benchmarks; results never depend on the memo.
        """
        self._day_cache.clear()
        self._week_cache.clear()

    # -- internals -----------------------------------------------------------------------

    def _iter_open(self, s: int, e: int) -> Iterator[tuple[datetime, datetime]]:
        if e <= s:
            return
        if self._is_24x7:
            yield _from_us(s), _from_us(e)
            return
        pending: tuple[int, int] | None = None
        for k in range(s // _DAY_US, (e - 1) // _DAY_US + 1):
            for a, b in self._utc_day(k)[0]:
                lo = a if a > s else s
                hi = b if b < e else e
                if lo >= hi:
                    continue
                if pending is not None and pending[1] == lo:
                    pending = (pending[0], hi)
                    continue
                if pending is not None:
                    yield _from_us(pending[0]), _from_us(pending[1])
                pending = (lo, hi)
        if pending is not None:
            yield _from_us(pending[0]), _from_us(pending[1])

    @staticmethod
    def _check_closed(closed_days: int, start: datetime) -> None:
        if closed_days > MAX_CONSECUTIVE_CLOSED_DAYS:
            raise ValueError(
                f"no business time within {MAX_CONSECUTIVE_CLOSED_DAYS} consecutive days "
                f"after {start.isoformat()}: the weekly hours and holidays keep the "
                "calendar closed"
            )

    def _week_total(self, week: int) -> int:
        total = self._week_cache.get(week)
        if total is None:
            total = sum(self._utc_day(k)[1] for k in range(week * 7, week * 7 + 7))
            if len(self._week_cache) >= _CACHE_LIMIT:
                self._week_cache.clear()
            self._week_cache[week] = total
        return total

    def _utc_day(self, k: int) -> _DayIntervals:
        """Business intervals within UTC day ``k`` (days since 1970-01-01), memoised."""
        cached = self._day_cache.get(k)
        if cached is not None:
            return cached
        w0 = k * _DAY_S
        out: list[list[int]] = []
        for seg_start, seg_end, offset in self._offset_segments(w0, w0 + _DAY_S):
            # Within a segment the offset is constant, so local wall time (as seconds on a
            # naive "local epoch") is utc + offset, and the preimage of a wall-clock
            # interval is just that interval shifted back by the offset.
            local_lo = seg_start + offset
            local_hi = seg_end + offset
            d = local_lo // _DAY_S
            while d * _DAY_S < local_hi:
                if d not in self._holiday_days:
                    base = d * _DAY_S
                    for a, b in self._week[(d + _EPOCH_WEEKDAY) % 7]:
                        lo = base + a
                        hi = base + b
                        if lo < local_lo:
                            lo = local_lo
                        if hi > local_hi:
                            hi = local_hi
                        if lo < hi:
                            u_lo = (lo - offset) * _US_PER_S
                            u_hi = (hi - offset) * _US_PER_S
                            if out and out[-1][1] == u_lo:
                                out[-1][1] = u_hi
                            else:
                                out.append([u_lo, u_hi])
                d += 1
        intervals = tuple((a, b) for a, b in out)
        result: _DayIntervals = (intervals, sum(b - a for a, b in intervals))
        if len(self._day_cache) >= _CACHE_LIMIT:
            self._day_cache.clear()
        self._day_cache[k] = result
        return result

    def _offset_at(self, u: int) -> int:
        """UTC offset in seconds of the zone at UTC instant ``u`` (seconds since epoch)."""
        try:
            offset = datetime.fromtimestamp(u, self._zone).utcoffset()
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError("instant is outside the supported date range") from exc
        if offset is None:  # pragma: no cover - ZoneInfo always has an offset
            raise ValueError(f"time zone {self.timezone!r} has no UTC offset")
        return offset.days * _DAY_S + offset.seconds

    def _offset_segments(self, w0: int, w1: int) -> list[tuple[int, int, int]]:
        """Split ``[w0, w1)`` (UTC seconds) into maximal runs of constant UTC offset."""
        points = list(range(w0, w1, _OFFSET_SAMPLE_S))
        points.append(w1)
        offsets = [self._offset_at(p) for p in points]
        segments: list[tuple[int, int, int]] = []
        seg_start = w0
        current = offsets[0]
        for i in range(1, len(points)):
            lo = points[i - 1]
            while current != offsets[i]:
                # Invariant: offset(lo) == current != offset(hi); find the first second
                # with another offset (transitions fall on whole seconds).
                hi = points[i]
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if self._offset_at(mid) == current:
                        lo = mid
                    else:
                        hi = mid
                if hi > seg_start:
                    segments.append((seg_start, min(hi, w1), current))
                seg_start = hi
                current = self._offset_at(hi)
                lo = hi
        if seg_start < w1:
            segments.append((seg_start, w1, current))
        return segments


def _instant_us(value: object, name: str) -> int:
    """Microseconds since the epoch for an aware datetime; reject anything else."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be a time-zone aware datetime, got naive {value.isoformat()}"
        )
    return (value - _EPOCH) // _ONE_US


def _duration_us(value: object) -> int:
    if not isinstance(value, timedelta):
        raise TypeError(f"duration must be a timedelta, not {type(value).__name__}")
    if value < timedelta(0):
        raise ValueError(f"duration must not be negative, got {value}")
    return value // _ONE_US


def _from_us(us: int) -> datetime:
    try:
        return _EPOCH + timedelta(microseconds=us)
    except OverflowError as exc:
        raise ValueError("result is outside the supported date range") from exc
