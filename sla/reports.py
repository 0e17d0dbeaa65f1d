"""Dashboard aggregates for managers: computed in SQL, the same rows for page and CSV.

The period figures scan the narrow :class:`sla.models.TicketFacts` (one row per
ticket, kept by the services), never the wide ticket rows joined to their clocks;
the "now" figures read open tickets through the queue's covering index. Every figure
is a grouped or conditional aggregate, and one query serves several tables where
they share rows. Percentiles are nearest rank: PERCENTILE_DISC on PostgreSQL, one
OFFSET query per group elsewhere. No query loads tickets into Python and the page's
query count is bounded whatever the data size.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from sla.explain import format_duration
from sla.models import Priority, TicketFacts
from tickets import workflow
from tickets.models import Ticket

ACTIVE_STATUSES = sorted(workflow.ACTIVE)
DEFAULT_PERIOD_DAYS = 30
TIER_ORDER = [Tier.PREMIUM, Tier.TRIAL, Tier.STANDARD, Tier.COMMUNITY]
# Share of the target a first response took, as histogram buckets (upper bounds).
BUCKETS: list[tuple[str, float | None]] = [
    ("≤25%", 0.25),
    ("25–50%", 0.5),
    ("50–75%", 0.75),
    ("75–100%", 1.0),
    ("100–150%", 1.5),
    (">150%", None),
]
# The bucket that ends at the target itself: responses to its right breached.
TARGET_BUCKET = next(index for index, (_label, upper) in enumerate(BUCKETS) if upper == 1.0)

# A row of a grouped `values(...).annotate(...)` query: its columns by name.
Row = Mapping[str, Any]


@dataclass(frozen=True)
class ReportFilters:
    """A period of whole local days in the manager's zone, plus optional filters."""

    start: datetime.date
    end: datetime.date  # inclusive
    zone: str = "UTC"
    tier: str = ""
    organization_id: int | None = None
    priority: str = ""
    product_id: int | None = None
    engineer_id: int | None = None

    @classmethod
    def for_period(
        cls,
        *,
        period: str,
        today: datetime.date,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        **filters: Any,
    ) -> ReportFilters:
        """The last 7/30/90 days up to and including `today`, or chosen dates ("custom");
        anything else means the last 30 days."""
        if period == "custom" and start and end:
            return cls(start=start, end=end, **filters)
        days = int(period) if period in ("7", "30", "90") else DEFAULT_PERIOD_DAYS
        return cls(start=today - datetime.timedelta(days=days - 1), end=today, **filters)

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def since(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), self.tzinfo)

    @property
    def until(self) -> datetime.datetime:
        """Exclusive end: midnight after the last day, local."""
        return datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time(), self.tzinfo
        )

    def ticket_q(self, prefix: str = "") -> Q:
        """The non-period filters as a Q on tickets (prefix e.g. 'ticket__')."""
        q = Q()
        if self.tier:
            q &= Q(**{f"{prefix}tier": self.tier})
        if self.organization_id:
            q &= Q(**{f"{prefix}organization_id": self.organization_id})
        if self.priority:
            q &= Q(**{f"{prefix}priority": self.priority})
        if self.product_id:
            q &= Q(**{f"{prefix}product_id": self.product_id})
        if self.engineer_id:
            q &= Q(**{f"{prefix}assignee_id": self.engineer_id})
        return q


@dataclass
class Table:
    """Rows behind a chart or a figure: shown as a table and exported as CSV."""

    key: str
    title: str
    headers: list[str]  # full words: the CSV's header row, and the page's unless shorter
    rows: list[list[object]] = field(default_factory=list)
    # On the page only, for a table too wide for its card: shorter column headings under
    # headings that group them, e.g. "Median" under "First response (business time)".
    short_headers: list[str] | None = None
    header_groups: list[tuple[str, int]] = field(default_factory=list)  # (heading, columns)

    @property
    def page_headers(self) -> list[tuple[str, str]]:
        """(shown, full) per column: the short heading where there is one, and the full
        one for screen readers and a tooltip."""
        shown = self.short_headers or self.headers
        return list(zip(shown, self.headers, strict=True))


def tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _weeks(filters: ReportFilters) -> list[datetime.date]:
    """Monday of every week that overlaps the period."""
    monday = filters.start - datetime.timedelta(days=filters.start.weekday())
    weeks = []
    while monday <= filters.end:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def period_facts(filters: ReportFilters) -> QuerySet[TicketFacts]:
    """Facts of the tickets created in the period, filtered."""
    return TicketFacts.objects.filter(
        filters.ticket_q(), created_at__gte=filters.since, created_at__lt=filters.until
    )


def _in_period(column: str, filters: ReportFilters) -> Q:
    return Q(**{f"{column}__gte": filters.since, f"{column}__lt": filters.until})


def _people(ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """(display name, e-mail) of these users, in one query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    users = User.objects.filter(pk__in=wanted).only("first_name", "last_name", "email")
    return {user.pk: (str(user), user.email) for user in users}


# --- Now ---------------------------------------------------------------------------


def open_counts(filters: ReportFilters, *, now: datetime.datetime) -> list[Row]:
    """Open tickets grouped by (tier, priority, assignee id): open, at risk, breached now.

    Grouped by ids (names come from `_people`), so PostgreSQL answers from the queue's
    covering index on open tickets without reading the wide ticket rows.
    """
    return list(
        Ticket.objects.filter(filters.ticket_q(), status__in=ACTIVE_STATUSES)
        .values("tier", "priority", "assignee_id")
        .annotate(
            # Counting a column of that index (never NULL), not the id, which is not in it.
            open=Count("priority"),
            at_risk=Count("priority", filter=Q(sla_warn_at__lte=now, sla_due_at__gt=now)),
            breached=Count("priority", filter=Q(sla_due_at__lte=now)),
        )
        .order_by()
    )


def _fold(rows: list[Row], key: Callable[[Row], Any]) -> dict[Any, list[int]]:
    folded: dict[Any, list[int]] = {}
    for row in rows:
        sums = folded.setdefault(key(row), [0, 0, 0])
        sums[0] += row["open"]
        sums[1] += row["at_risk"]
        sums[2] += row["breached"]
    return folded


def open_sla_by_tier_and_priority(
    filters: ReportFilters,
    *,
    now: datetime.datetime,
    counts: list[Row] | None = None,
) -> Table:
    """Open tickets at risk and breached right now, by tier and priority."""
    found = _fold(
        open_counts(filters, now=now) if counts is None else counts,
        lambda row: (row["tier"], row["priority"]),
    )
    table = Table(
        "now",
        str(_("Open tickets at risk and breached now")),
        [str(_("Tier")), str(_("Priority")), str(_("Open")), str(_("At risk")), str(_("Breached"))],
    )
    for tier in TIER_ORDER:
        for priority in Priority.values:
            if (tier, priority) in found:
                table.rows.append([tier_label(tier), priority, *found[(tier, priority)]])
    return table


def engineer_load(
    filters: ReportFilters,
    *,
    now: datetime.datetime,
    counts: list[Row] | None = None,
) -> Table:
    """Open tickets per assignee (and unassigned), with how many are at risk or breached."""
    rows = open_counts(filters, now=now) if counts is None else counts
    people = _people(row["assignee_id"] for row in rows)

    def who(row: Row) -> str:
        person = people.get(row["assignee_id"])
        return person[0] if person else str(_("Unassigned"))

    found = _fold(rows, who)
    table = Table(
        "load",
        str(_("Engineers' open load")),
        [str(_("Engineer")), str(_("Open")), str(_("At risk")), str(_("Breached"))],
    )
    for name, sums in sorted(found.items(), key=lambda item: (-item[1][0], item[0])):
        table.rows.append([name, *sums])
    return table


# --- Over the period -----------------------------------------------------------------


def _week_of(column: str, filters: ReportFilters) -> Case:
    """The index in `_weeks(filters)` of the week `column` falls in, or NULL outside the
    period. Weeks start at local midnight on Monday in the manager's zone, so one that
    crosses a DST change has its real length; the boundaries are computed here and
    compared in SQL (one CASE per row, no time-zone conversion in the database)."""
    whens = [
        When(**{f"{column}__lt": filters.since}, then=None),
        When(**{f"{column}__gte": filters.until}, then=None),
    ]
    for index, monday in enumerate(_weeks(filters)):
        end = datetime.datetime.combine(
            monday + datetime.timedelta(days=7), datetime.time(), filters.tzinfo
        )
        whens.append(When(**{f"{column}__lt": end}, then=Value(index)))
    return Case(*whens, default=None, output_field=IntegerField())


def _share_of_target(share: float) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("first_response_target") * share, output_field=DurationField())


def _bucket_conditions() -> list[Q]:
    """Per bucket of BUCKETS, a met first response whose business time is in
    (lower, upper] of its target."""
    met = Q(first_response_met_at__isnull=False, first_response_business_time__isnull=False)
    conditions, lower = [], None
    for _label, upper in BUCKETS:
        condition = met
        if lower is not None:
            condition &= Q(first_response_business_time__gt=_share_of_target(lower))
        if upper is not None:
            condition &= Q(first_response_business_time__lte=_share_of_target(upper))
        conditions.append(condition)
        lower = upper
    return conditions


def period_summary(filters: ReportFilters) -> list[Row]:
    """One pass over the facts of the tickets created in the period, by tier, priority,
    first responder and assignee.

    Per group: tickets, first-response clocks, met on time, breached, responses with a
    measured business time, tickets solved, and met first responses per share-of-target
    bucket (`bucket_0`...). Attainment, the distribution, the response and resolution
    counts and the engineers' table all fold these rows (a few thousand at most: the
    people pairs that worked in the period), so the period is read once for all of them.
    """
    buckets = {
        f"bucket_{index}": Count("pk", filter=condition)
        for index, condition in enumerate(_bucket_conditions())
    }
    return list(
        period_facts(filters)
        .values("tier", "priority", "first_responder_id", "assignee_id")
        .annotate(
            tickets=Count("pk"),
            clocks=Count("pk", filter=Q(first_response_target__isnull=False)),
            met=Count(
                "pk",
                filter=Q(
                    first_response_met_at__isnull=False, first_response_breached_at__isnull=True
                ),
            ),
            breached=Count("pk", filter=Q(first_response_breached_at__isnull=False)),
            responded=Count("pk", filter=Q(first_response_business_time__isnull=False)),
            solved=Count("pk", filter=Q(solved_at__isnull=False)),
            **buckets,
        )
        .order_by()
    )


# Every metric's breach instant on the facts: breaches count whatever their metric.
BREACH_COLUMNS = ("first_response_breached_at", "resolution_breached_at")


def period_events(filters: ReportFilters) -> list[Row]:
    """Tickets opened (`created_at`), solved (`solved_at`) and breached (any metric) per
    week of the period: one count per column and week, each found by that column's
    index, in one UNION ALL query. (Grouped by one expression per part: the planner
    overestimates the groups of an expression on a timestamp, which it can afford for
    one narrow key but not beside the summary's many counts.)"""
    parts = [
        TicketFacts.objects.filter(filters.ticket_q(), _in_period(column, filters))
        .values(kind=Value(column), week=_week_of(column, filters))
        .annotate(tickets=Count("*"))
        .order_by()
        for column in ("created_at", "solved_at", *BREACH_COLUMNS)
    ]
    return list(parts[0].union(*parts[1:], all=True))


class PeriodPasses:
    """The shared period queries of one page, each run once and only if a table needs it
    (a CSV export builds one table and runs only its own)."""

    def __init__(self, filters: ReportFilters) -> None:
        self.filters = filters

    @cached_property
    def summary(self) -> list[Row]:
        return period_summary(self.filters)

    @cached_property
    def events(self) -> list[Row]:
        return period_events(self.filters)


def _sum_by(rows: list[Row], group: str, keys: list[str]) -> dict[Any, list[int]]:
    """Sums of `keys` per value of the column `group`."""
    sums: dict[Any, list[int]] = {}
    for row in rows:
        totals = sums.setdefault(row[group], [0] * len(keys))
        for index, key in enumerate(keys):
            totals[index] += row[key]
    return sums


def attainment(filters: ReportFilters, *, by: str, passes: PeriodPasses | None = None) -> Table:
    """First-response attainment (% met on time of those decided) by tier or priority."""
    group = "tier" if by == "tier" else "priority"
    rows = _sum_by((passes or PeriodPasses(filters)).summary, group, ["clocks", "met", "breached"])
    order = TIER_ORDER if by == "tier" else Priority.values
    label = _("Tier") if by == "tier" else _("Priority")
    table = Table(
        f"attainment_{by}",
        str(_("First-response attainment by %(group)s") % {"group": str(label).lower()}),
        [str(label), str(_("Tickets")), str(_("Met")), str(_("Breached")),
         str(_("Still open")), str(_("Attainment (%)"))],
    )  # fmt: skip
    for key in order:
        total, met, breached = rows.get(key, (0, 0, 0))
        if not total:
            continue
        decided = met + breached
        table.rows.append(
            [tier_label(key) if by == "tier" else key, total, met, breached,
             total - decided, _percent(met, decided)]
        )  # fmt: skip
    return table


def first_response_distribution(
    filters: ReportFilters, *, passes: PeriodPasses | None = None
) -> Table:
    """How long first responses took in business time, as a share of their target."""
    counts = _sum_by(
        (passes or PeriodPasses(filters)).summary,
        "priority",
        [f"bucket_{index}" for index in range(len(BUCKETS))],
    )
    table = Table(
        "distribution",
        str(_("First-response time in business hours, as a share of the target")),
        [str(_("Priority"))] + [label for label, _upper in BUCKETS],
    )
    for priority in Priority.values:
        if any(counts.get(priority, ())):
            table.rows.append([priority, *counts[priority]])
    return table


class PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile: the first value whose cumulative share >= p.

    Like every ordered-set aggregate it ignores NULL values.
    """

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, share: float, **extra: Any) -> None:
        super().__init__(expression, share=float(share), **extra)


def _nearest_rank(
    queryset: QuerySet[TicketFacts], value: str, n: int, share: float
) -> datetime.timedelta:
    """The nearest-rank percentile of `value` (a duration, never NULL in `queryset`) in an
    ordered queryset of n rows (SQL OFFSET)."""
    rank = max(1, math.ceil(share * n))
    found: datetime.timedelta = queryset.order_by(value).values_list(value, flat=True)[rank - 1]
    return found


def _resolution_time() -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("solved_at") - F("created_at"), output_field=DurationField())


# What each percentile measures, by name: first response in business time, resolution
# in calendar time (the default plans set no resolution target).
MEASURES = {"response": "first_response_business_time", "resolution": "resolution"}


def response_percentiles(
    filters: ReportFilters, *, counts: dict[tuple[str, str], int]
) -> dict[tuple[str, str], tuple[datetime.timedelta, datetime.timedelta]]:
    """Median and 90th percentile per (priority, measure), nearest rank, computed in SQL.

    `counts` holds how many values each (priority, measure) has. PostgreSQL does it in
    one query with PERCENTILE_DISC (a part per priority); elsewhere one OFFSET query per group and
    percentile gives the same values.
    """
    facts = period_facts(filters)
    if connection.vendor == "postgresql":
        expressions = {"response": F(MEASURES["response"]), "resolution": _resolution_time()}
        aggregates = {
            f"{name}_{label}": PercentileDisc(expression, share, output_field=DurationField())
            for name, expression in expressions.items()
            for label, share in (("median", 0.5), ("p90", 0.9))
        }
        # One part per priority, glued by UNION ALL: each reads its priority's period
        # from the `ticketfacts_percentiles` index alone, where grouping the whole period
        # by priority read the rows and sorted them all on disk (150 ms at 1M tickets).
        parts = [
            facts.filter(priority=priority)
            .values(group=Value(priority, output_field=CharField()))
            .annotate(**aggregates)
            .order_by()
            for priority in ([filters.priority] if filters.priority else Priority.values)
        ]
        rows: Iterable[Row] = parts[0].union(*parts[1:], all=True)
        return {
            (row["group"], name): (row[f"{name}_median"], row[f"{name}_p90"])
            for row in rows
            for name in MEASURES
            if row[f"{name}_median"] is not None
        }
    facts = facts.annotate(resolution=_resolution_time())
    found: dict[tuple[str, str], tuple[datetime.timedelta, datetime.timedelta]] = {}
    for (priority, name), n in counts.items():
        if n:
            column = MEASURES[name]
            values = facts.filter(priority=priority, **{f"{column}__isnull": False})
            found[(priority, name)] = (
                _nearest_rank(values, column, n, 0.5),
                _nearest_rank(values, column, n, 0.9),
            )
    return found


def response_times(filters: ReportFilters, *, passes: PeriodPasses | None = None) -> Table:
    """Median and 90th percentile first response (business time) and resolution, per priority.

    Resolution is measured in calendar time from creation to solved (the default
    plans set no resolution target).
    """
    sums = _sum_by((passes or PeriodPasses(filters)).summary, "priority", ["responded", "solved"])
    counts = {
        (priority, name): sums[priority][index]
        for priority in sums
        for index, name in enumerate(MEASURES)
    }
    figures = response_percentiles(filters, counts=counts)
    table = Table(
        "response_times",
        str(_("First response and resolution times")),
        [str(_("Priority")), str(_("Responses")),
         str(_("Median first response (business time)")),
         str(_("90th percentile first response (business time)")),
         str(_("Solved")), str(_("Median resolution (calendar time)")),
         str(_("90th percentile resolution (calendar time)"))],
        short_headers=[
            str(_("Priority")), str(_("Responses")), str(_("Median")), str(_("90th pct.")),
            str(_("Solved")), str(_("Median")), str(_("90th pct.")),
        ],
        header_groups=[
            ("", 1), (str(_("First response (business time)")), 3),
            (str(_("Resolution (calendar time)")), 3),
        ],
    )  # fmt: skip

    def shown(priority: str, name: str) -> list[str]:
        found = figures.get((priority, name))
        return [format_duration(value) for value in found] if found else ["", ""]

    for priority in Priority.values:
        responded, solved = sums.get(priority, (0, 0))
        if not responded and not solved:
            continue
        table.rows.append(
            [priority, responded, *shown(priority, "response"),
             solved, *shown(priority, "resolution")]
        )  # fmt: skip
    return table


def _weekly(rows: list[Row], weeks: int, *, kinds: tuple[str, ...] = ()) -> list[int]:
    """Per week index, the `tickets` of the rows (only those of `kinds`, if given)."""
    counts = [0] * weeks
    for row in rows:
        if row["week"] is not None and (not kinds or row["kind"] in kinds):
            counts[row["week"]] += row["tickets"]
    return counts


def breaches_per_week(filters: ReportFilters, *, passes: PeriodPasses | None = None) -> Table:
    """SLA breaches (any metric) whose deadline fell in each week of the period."""
    weeks = _weeks(filters)
    breaches = _weekly((passes or PeriodPasses(filters)).events, len(weeks), kinds=BREACH_COLUMNS)
    table = Table(
        "breaches_week",
        str(_("Breaches per week")),
        [str(_("Week of")), str(_("Breaches"))],
    )
    # Dates, not text: the page shows them in the viewer's language, the CSV as ISO dates.
    table.rows = [[week, count] for week, count in zip(weeks, breaches, strict=True)]
    return table


def opened_vs_solved_per_week(
    filters: ReportFilters, *, passes: PeriodPasses | None = None
) -> Table:
    """Tickets created in each week of the period, and tickets solved in it."""
    passes = passes or PeriodPasses(filters)
    weeks = _weeks(filters)
    opened = _weekly(passes.events, len(weeks), kinds=("created_at",))
    solved = _weekly(passes.events, len(weeks), kinds=("solved_at",))
    table = Table(
        "opened_solved",
        str(_("Tickets opened and solved per week")),
        [str(_("Week of")), str(_("Opened")), str(_("Solved"))],
    )
    table.rows = [[week, opened[index], solved[index]] for index, week in enumerate(weeks)]
    return table


def top_organizations(
    filters: ReportFilters, *, limit: int = 10, passes: PeriodPasses | None = None
) -> Table:
    """Organizations by SLA breaches (any metric) in the period (its own query).

    One UNION ALL part per breach column, each counted per organization from that
    column's index alone (it includes the organization and tier), summed here: a single
    pass with OR-ed periods had to read every breached row from the table.
    """
    parts = [
        TicketFacts.objects.filter(filters.ticket_q(), _in_period(column, filters))
        .values("organization__name", "tier")
        .annotate(breaches=Count("*"))
        .order_by()
        for column in BREACH_COLUMNS
    ]
    found: dict[tuple[str, str], int] = {}
    for row in parts[0].union(*parts[1:], all=True):
        key = (row["organization__name"], row["tier"])
        found[key] = found.get(key, 0) + row["breaches"]
    table = Table(
        "organizations",
        str(_("Organizations with the most breaches")),
        [str(_("Organization")), str(_("Tier")), str(_("Breaches"))],
    )
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
    table.rows = [[name, tier_label(tier), breaches] for (name, tier), breaches in ranked]
    return table


def engineer_performance(filters: ReportFilters, *, passes: PeriodPasses | None = None) -> Table:
    """Per engineer: first responses given (author of the first public staff reply) and
    first-response breaches on tickets assigned to them, for tickets created in the period
    (folded from the period summary)."""
    responses: dict[int, int] = {}
    breaches: dict[int | None, int] = {}
    for row in (passes or PeriodPasses(filters)).summary:
        responder = row["first_responder_id"]
        if responder is not None:
            responses[responder] = responses.get(responder, 0) + row["tickets"]
        if row["breached"]:
            assignee = row["assignee_id"]
            breaches[assignee] = breaches.get(assignee, 0) + row["breached"]
    people = _people([*responses, *breaches])
    # Per person (by id: two engineers may share a name), shown by name as elsewhere.
    by_person: dict[int | None, list[int]] = {}
    for pk, count in responses.items():
        by_person.setdefault(pk if pk in people else None, [0, 0])[0] += count
    for assignee_id, count in breaches.items():
        by_person.setdefault(assignee_id if assignee_id in people else None, [0, 0])[1] += count
    table = Table(
        "engineers",
        str(_("First responses and breaches per engineer")),
        [str(_("Engineer")), str(_("First responses")), str(_("Breaches (as assignee)"))],
    )

    def order(pk: int | None) -> tuple[bool, str, str]:
        name, email = people[pk] if pk is not None else ("", "")
        return (pk is None, name.casefold(), email)

    for person in sorted(by_person, key=order):
        shown = people[person][0] if person is not None else str(_("Unassigned"))
        table.rows.append([shown, *by_person[person]])
    return table


# The period tables, each built from the shared passes and/or a query of its own.
PERIOD_TABLES: dict[str, Callable[..., Table]] = {
    "attainment_tier": partial(attainment, by="tier"),
    "attainment_priority": partial(attainment, by="priority"),
    "breaches_week": breaches_per_week,
    "opened_solved": opened_vs_solved_per_week,
    "distribution": first_response_distribution,
    "response_times": response_times,
    "organizations": top_organizations,
    "engineers": engineer_performance,
}


def dashboard_tables(filters: ReportFilters, *, now: datetime.datetime) -> dict[str, Table]:
    """Every table of the dashboard, keyed for the page and the CSV export."""
    open_rows = open_counts(filters, now=now)
    passes = PeriodPasses(filters)
    tables = {
        "now": open_sla_by_tier_and_priority(filters, now=now, counts=open_rows),
        "load": engineer_load(filters, now=now, counts=open_rows),
    }
    tables.update({key: build(filters, passes=passes) for key, build in PERIOD_TABLES.items()})
    return tables


def dashboard_table(key: str, filters: ReportFilters, *, now: datetime.datetime) -> Table | None:
    """One dashboard table by its key (None for an unknown key), built alone (CSV export)."""
    if key in PERIOD_TABLES:
        return PERIOD_TABLES[key](filters)
    if key == "now":
        return open_sla_by_tier_and_priority(filters, now=now)
    if key == "load":
        return engineer_load(filters, now=now)
    return None
