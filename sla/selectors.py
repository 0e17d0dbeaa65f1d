"""Reads for the SLA pages: plans with their targets, calendars, public holidays, the matrix."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import holidays
from django.db.models import Count, Prefetch, QuerySet
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organization, Tier
from accounts.zones import country_name, sort_key
from sla.models import (
    Calendar,
    CalendarInterval,
    Metric,
    Priority,
    SupportPlan,
    Target,
    TierPolicy,
    format_minute,
)

# --- public holidays (the `holidays` package) ----------------------------------------------------


@functools.lru_cache(maxsize=256)
def _public_holidays(
    country: str, years: tuple[int, ...], language: str | None, subdivision: str = ""
) -> tuple[tuple[date, str], ...]:
    try:
        table = holidays.country_holidays(
            country, subdiv=subdivision or None, years=years, language=language
        )
    except NotImplementedError:
        if subdivision:  # a code the package no longer knows: the country's holidays still
            return _public_holidays(country, years, language)
        return ()  # a country the package does not know: no public holidays
    return tuple(sorted(table.items()))


def public_holidays(
    *, country: str, years: Iterable[int], language: str | None = None, subdivision: str = ""
) -> dict[date, str]:
    """``{date: name}`` of a country's public holidays (ISO 3166 code) in the given years.

    With a ``subdivision`` (a state or province code the package knows, e.g. ``"NSW"``),
    that region's holidays too. An unknown or empty country has none. ``language`` (e.g.
    ``"pt_BR"``) names them in that language when the package has it. Cached per process.
    """
    country = (country or "").strip().upper()
    if not country:
        return {}
    if language is not None:
        supported = _supported_languages(country)
        if language not in supported:  # "en" -> "en_US"; otherwise the country's default
            prefix = language.split("_")[0] + "_"
            language = next((code for code in supported if code.startswith(prefix)), None)
    return dict(
        _public_holidays(country, tuple(sorted(set(years))), language, (subdivision or "").strip())
    )


@functools.cache
def _supported_languages(country: str) -> tuple[str, ...]:
    try:
        return tuple(holidays.country_holidays(country).supported_languages)
    except NotImplementedError:
        return ()


def supported_countries() -> list[tuple[str, str]]:
    """``(code, name)`` of every country the `holidays` package knows, named in the active
    language (Unicode CLDR through Babel) and sorted by that name."""
    return _supported_countries(get_language() or "en")


@functools.cache
def _supported_countries(language: str) -> list[tuple[str, str]]:
    countries = []
    for class_name, alpha_2, *_rest in holidays.registry.COUNTRIES.values():
        name = country_name(alpha_2)
        if name == alpha_2:  # CLDR does not know it: the package's own English name
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
        countries.append((alpha_2, name))
    return sorted(countries, key=lambda item: sort_key(item[1]))


def most_common_country(*, prefer: str = "") -> str:
    """The country most customer organizations are in ("" when none has one); on a tie,
    ``prefer`` (the viewer's own, e.g. ``BR`` for pt-BR) when it is one of them, else the
    first code."""
    rows = list(
        Organization.objects.exclude(country="")
        .values("country")
        .annotate(count=Count("id"))
        .order_by("-count", "country")
    )
    if not rows:
        return ""
    tied = [row["country"] for row in rows if row["count"] == rows[0]["count"]]
    return prefer if prefer in tied else tied[0]


# --- schedules -----------------------------------------------------------------------------------


def schedule_summary(intervals: Iterable[CalendarInterval]) -> str:
    """A weekly schedule in a line: ``"Mon–Fri 08:00–17:00"``; days with equal hours grouped."""
    by_day: dict[int, list[str]] = {}
    for interval in sorted(intervals, key=lambda i: (i.weekday, i.start_minute)):
        by_day.setdefault(interval.weekday, []).append(
            f"{format_minute(interval.start_minute)}–{format_minute(interval.end_minute)}"
        )
    if not by_day:
        return _("Closed every day")
    return weekly_hours_text(by_day, short=True)


def weekly_hours_text(by_day: Mapping[int, Sequence[str]], *, short: bool = False) -> str:
    """Open hours per weekday (Monday = 0) in a line, consecutive days with equal hours
    grouped: ``"Mon–Fri 08:00–17:00"`` (short) or ``"Monday to Friday 08:00–17:00"``."""
    groups: list[tuple[int, int, str]] = []  # (first day, last day, hours) of consecutive days
    for weekday in range(7):
        if not by_day.get(weekday):
            continue
        hours = ", ".join(by_day[weekday])
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], weekday, hours)
        else:
            groups.append((weekday, weekday, hours))
    names = WEEKDAYS_ABBR if short else WEEKDAYS
    parts = []
    for first, last, hours in groups:
        if first == last:
            days = str(names[first])
        elif short:
            days = f"{names[first]}–{names[last]}"
        else:
            days = _("%(first)s to %(last)s") % {"first": names[first], "last": names[last]}
        parts.append(f"{days} {hours}")
    return "; ".join(parts)


def weekly_hours_of(calendar: Calendar) -> dict[int, list[tuple[int, int]]]:
    """``{weekday: [(start_minute, end_minute)]}`` of a calendar (prefetched intervals used)."""
    result: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for interval in sorted(calendar.intervals.all(), key=lambda i: (i.weekday, i.start_minute)):
        result[interval.weekday].append((interval.start_minute, interval.end_minute))
    return result


# --- plans ---------------------------------------------------------------------------------------


@dataclass
class TargetRow:
    """One priority of a plan: its target per metric (None: no target)."""

    priority: str
    label: str
    cells: list[Target | None]


@dataclass
class PlanOverview:
    plan: SupportPlan
    calendar_summary: str
    rows: list[TargetRow]
    tiers: list[str] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return any(cell is not None for row in self.rows for cell in row.cells)


def plans_with_details() -> QuerySet[SupportPlan]:
    """Plans with calendar, intervals, targets and tier policies loaded (fixed queries)."""
    return SupportPlan.objects.select_related("calendar").prefetch_related(
        Prefetch("calendar__intervals", queryset=CalendarInterval.objects.all()),
        Prefetch("targets", queryset=Target.objects.all()),
        Prefetch("tier_policies", queryset=TierPolicy.objects.all()),
        Prefetch("lapsed_tier_policies", queryset=TierPolicy.objects.all()),
    )


def plan_overview(plan: SupportPlan) -> PlanOverview:
    """One plan shaped for the plan list: the P1–P4 × metric table and the tiers using it."""
    targets = {(t.priority, t.metric): t for t in plan.targets.all()}
    rows = [
        TargetRow(
            priority=priority,
            label=str(label),
            cells=[targets.get((priority, metric)) for metric in Metric.values],
        )
        for priority, label in Priority.choices
    ]
    tiers = [str(Tier(policy.tier).label) for policy in plan.tier_policies.all()] + [
        _("%(tier)s (after the trial)") % {"tier": Tier(policy.tier).label}
        for policy in plan.lapsed_tier_policies.all()
    ]
    if plan.calendar is None:
        summary = _("No calendar: best effort")
    elif plan.calendar.is_24x7:
        summary = _("24x7")
    else:
        summary = schedule_summary(plan.calendar.intervals.all())
    return PlanOverview(plan=plan, calendar_summary=summary, rows=rows, tiers=tiers)


def plan_overviews() -> list[PlanOverview]:
    """Every plan for the manager's plan list (a fixed number of queries)."""
    return [plan_overview(plan) for plan in plans_with_details()]


def calendar_list() -> QuerySet[Calendar]:
    """Calendars with their intervals, plans and holiday count (a fixed number of queries)."""
    return Calendar.objects.annotate(
        holiday_count=Count("holidays", distinct=True)
    ).prefetch_related(
        Prefetch("intervals", queryset=CalendarInterval.objects.all()),
        Prefetch("plans", queryset=SupportPlan.objects.order_by("name")),
    )


def calendar_detail(pk: int) -> Calendar:
    """One calendar with intervals, own holidays and the plans using it."""
    return (
        Calendar.objects.prefetch_related(
            "intervals",
            "holidays",
            Prefetch("plans", queryset=SupportPlan.objects.order_by("name")),
        )
        .filter(pk=pk)
        .get()
    )


# --- the matrix ----------------------------------------------------------------------------------
