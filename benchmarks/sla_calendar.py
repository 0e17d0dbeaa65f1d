"""Benchmark ``sla.calendar.BusinessCalendar.add`` against the ``businesstimedelta`` library.

Run from the repository root::

    .venv/bin/python benchmarks/sla_calendar.py

It generates 10,000 seeded random (zone, start, target) cases on the Standard schedule
(Monday-Friday 08:00-17:00 local time, no holidays), checks that both implementations give
the same due instants, and prints the speed of each and how the cost of one ``add`` grows
with the target.

``businesstimedelta`` works with pytz zones: a ``WorkDayRule`` converts the (aware) start
to the rule's zone, localises each day's 08:00 / 17:00 with ``tz.localize`` and adds the
remaining time to an aware datetime, so it returns correct instants as long as opening and
closing times never fall into a DST gap or fold -- true for 08:00-17:00 in every zone used
here (their transitions happen at night), so every case is comparable.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import businesstimedelta  # noqa: E402
import pytz  # noqa: E402

from sla.calendar import BusinessCalendar  # noqa: E402

SEED = 20260101
CASES = 10_000
ZONES = ["America/Sao_Paulo", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Asia/Kolkata"]
STANDARD_HOURS = {day: [("08:00", "17:00")] for day in range(5)}
GROWTH_TARGETS_H = [1, 8, 24, 100, 500]
GROWTH_CASES = 2_000

Case = tuple[str, datetime, timedelta]


def make_cases(rng: random.Random, count: int, hours: float | None = None) -> list[Case]:
    """Random starts (whole seconds, across 2025-2027) and targets (whole minutes).

    Targets are log-uniform between 1 minute and 500 hours unless ``hours`` is given.
    """
    lo = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    cases = []
    for _ in range(count):
        zone = rng.choice(ZONES)
        start = datetime.fromtimestamp(rng.randrange(lo, hi), UTC)
        if hours is None:
            minutes = round(math.exp(rng.uniform(0, math.log(500 * 60))))
            target = timedelta(minutes=minutes)
        else:
            target = timedelta(hours=hours)
        cases.append((zone, start, target))
    return cases


def ours_factory() -> Callable[[Case], datetime]:
    calendars = {zone: BusinessCalendar(zone, STANDARD_HOURS) for zone in ZONES}

    def run(case: Case) -> datetime:
        zone, start, target = case
        return calendars[zone].add(start, target)

    return run


def ours_uncached_factory() -> Callable[[Case], datetime]:
    """Our ``add`` with its per-day memo emptied before every call (worst case)."""
    calendars = {zone: BusinessCalendar(zone, STANDARD_HOURS) for zone in ZONES}

    def run(case: Case) -> datetime:
        zone, start, target = case
        calendar = calendars[zone]
        calendar.cache_clear()
        return calendar.add(start, target)

    return run


def ours_new_calendar_factory() -> Callable[[Case], datetime]:
    """A new ``BusinessCalendar`` built (and validated) for every call, as a web request
    computing one due date from a stored policy would; equal calendars share a memo."""

    def run(case: Case) -> datetime:
        zone, start, target = case
        return BusinessCalendar(zone, STANDARD_HOURS).add(start, target)

    return run


def library_factory() -> Callable[[Case], datetime]:
    rules = {
        zone: businesstimedelta.WorkDayRule(
            start_time=wall_time(8),
            end_time=wall_time(17),
            working_days=[0, 1, 2, 3, 4],
            tz=pytz.timezone(zone),
        )
        for zone in ZONES
    }

    def run(case: Case) -> datetime:
        zone, start, target = case
        due: datetime = start + businesstimedelta.BusinessTimeDelta(rules[zone], timedelta=target)
        return due.astimezone(UTC)

    return run


def time_calls(run: Callable[[Case], datetime], cases: list[Case]) -> tuple[float, list[datetime]]:
    """Seconds for one pass over ``cases``, and the results."""
    began = time.perf_counter()
    results = [run(case) for case in cases]
    return time.perf_counter() - began, results


def per_call_us(seconds: float, count: int) -> float:
    return seconds / count * 1e6


def main() -> None:
    cases = make_cases(random.Random(SEED), CASES)
    print(f"BusinessCalendar.add vs businesstimedelta: {CASES:,} random cases, seed {SEED}")
    print("Standard schedule Mon-Fri 08:00-17:00, zones: " + ", ".join(ZONES))
    print("Targets log-uniform 1 min .. 500 h; starts uniform over 2025-2027 (UTC seconds)")
    print()

    ours = ours_factory()
    cold_s, ours_results = time_calls(ours, cases)  # fresh calendars: memo fills as it goes
    warm_s, warm_results = time_calls(ours, cases)  # same calendars again: memo warm
    uncached_s, uncached_results = time_calls(ours_uncached_factory(), cases)
    new_s, new_results = time_calls(ours_new_calendar_factory(), cases)
    library_s, library_results = time_calls(library_factory(), cases)

    mismatches = [
        (case, mine, theirs)
        for case, mine, theirs in zip(cases, ours_results, library_results, strict=True)
        if mine != theirs
    ]
    assert ours_results == warm_results == uncached_results == new_results
    print(f"Cases compared: {CASES:,} (all; no DST gap/fold touches 08:00-17:00 in these zones)")
    print(f"Mismatches vs businesstimedelta: {len(mismatches)}")
    for (zone, start, target), mine, theirs in mismatches[:5]:
        print(f"  {zone} {start.isoformat()} + {target}: ours {mine}, library {theirs}")
    print()

    lib_us = per_call_us(library_s, CASES)
    print("Time per add() over the 10,000 cases:")
    rows = [
        ("ours, fresh calendars (memo filled during the pass)", cold_s),
        ("ours, warm memo (second pass)", warm_s),
        ("ours, new BusinessCalendar built for every call", new_s),
        ("ours, memo cleared before every call", uncached_s),
        ("businesstimedelta", library_s),
    ]
    for label, seconds in rows:
        us = per_call_us(seconds, CASES)
        ratio = "" if seconds is library_s else f"  ({lib_us / us:5.1f}x faster)"
        print(f"  {label:<54} {us:9.2f} us/call  total {seconds:7.3f} s{ratio}")
    print()

    print(f"Cost of one add() by target ({GROWTH_CASES:,} random starts each, us/call):")
    print(
        f"  {'target':>8}  {'ours warm':>10}  {'ours no memo':>12}  {'library':>10}  {'ratio':>7}"
    )
    for hours in GROWTH_TARGETS_H:
        growth_cases = make_cases(random.Random(SEED + hours), GROWTH_CASES, hours=hours)
        ours_run = ours_factory()
        time_calls(ours_run, growth_cases)  # warm the memo
        warm, ours_due = time_calls(ours_run, growth_cases)
        cold, _ = time_calls(ours_uncached_factory(), growth_cases)
        lib, library_due = time_calls(library_factory(), growth_cases)
        assert ours_due == library_due, f"mismatch for {hours} h targets"
        warm_us = per_call_us(warm, GROWTH_CASES)
        cold_us = per_call_us(cold, GROWTH_CASES)
        lib_us = per_call_us(lib, GROWTH_CASES)
        print(
            f"  {hours:>6} h  {warm_us:10.2f}  {cold_us:12.2f}  {lib_us:10.2f}  "
            f"{lib_us / warm_us:6.1f}x"
        )


if __name__ == "__main__":
    main()
