"""Dashboard aggregates for managers: computed in SQL, the same rows for page and CSV.

Every figure is a grouped or conditional aggregate; percentiles use nearest rank
with one OFFSET query per group, so no query loads tickets into Python and the
page's query count is bounded whatever the data size.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from sla.models import Metric, Priority, SLAClock, format_duration
from tickets import workflow
from tickets.models import Comment, Ticket

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
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)


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


def _week_counts(queryset: QuerySet, field_name: str, filters: ReportFilters) -> dict:
    rows = (
        queryset.annotate(week=TruncWeek(field_name, tzinfo=filters.tzinfo))
        .values("week")
        .annotate(count=Count("pk"))
        .order_by("week")
    )
    counts: dict[datetime.date, int] = {}
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, datetime.datetime) else week
        counts[day] = counts.get(day, 0) + row["count"]
    return counts


def first_response_clocks(filters: ReportFilters) -> QuerySet[SLAClock]:
    """First-response clocks of tickets created in the period, filtered."""
    return SLAClock.objects.filter(
        filters.ticket_q("ticket__"),
        metric=Metric.FIRST_RESPONSE,
        ticket__created_at__gte=filters.since,
        ticket__created_at__lt=filters.until,
    )


# --- Now ---------------------------------------------------------------------------


def open_counts(filters: ReportFilters, *, now: datetime.datetime) -> list[dict[str, Any]]:
    """Open tickets grouped by (tier, priority, assignee): open, at risk, breached now."""
    return list(
        Ticket.objects.filter(filters.ticket_q(), status__in=ACTIVE_STATUSES)
        .values(
            "tier", "priority", "assignee__email", "assignee__first_name", "assignee__last_name"
        )
        .annotate(
            open=Count("pk"),
            at_risk=Count("pk", filter=Q(sla_warn_at__lte=now, sla_due_at__gt=now)),
            breached=Count("pk", filter=Q(sla_due_at__lte=now)),
        )
        .order_by()
    )


def _fold(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, list[int]]:
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
    counts: list[dict[str, Any]] | None = None,
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
    counts: list[dict[str, Any]] | None = None,
) -> Table:
    """Open tickets per assignee (and unassigned), with how many are at risk or breached."""

    def who(row: dict[str, Any]) -> str:
        name = " ".join(
            part for part in (row["assignee__first_name"], row["assignee__last_name"]) if part
        )
        return name or row["assignee__email"] or str(_("Unassigned"))

    found = _fold(open_counts(filters, now=now) if counts is None else counts, who)
    table = Table(
        "load",
        str(_("Engineers' open load")),
        [str(_("Engineer")), str(_("Open")), str(_("At risk")), str(_("Breached"))],
    )
    for name, sums in sorted(found.items(), key=lambda item: (-item[1][0], item[0])):
        table.rows.append([name, *sums])
    return table


# --- Over the period -----------------------------------------------------------------


def attainment_counts(filters: ReportFilters) -> list[dict[str, Any]]:
    """First-response clocks of the period grouped by (tier, priority): total, met, breached."""
    return list(
        first_response_clocks(filters)
        .values("ticket__tier", "ticket__priority")
        .annotate(
            total=Count("pk"),
            met=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
        )
        .order_by()
    )


def attainment(
    filters: ReportFilters, *, by: str, counts: list[dict[str, Any]] | None = None
) -> Table:
    """First-response attainment (% met on time of those decided) by tier or priority."""
    group = "ticket__tier" if by == "tier" else "ticket__priority"
    rows: dict[str, dict[str, int]] = {}
    for row in attainment_counts(filters) if counts is None else counts:
        folded = rows.setdefault(row[group], {"total": 0, "met": 0, "breached": 0})
        for key in folded:
            folded[key] += row[key]
    order = TIER_ORDER if by == "tier" else Priority.values
    label = _("Tier") if by == "tier" else _("Priority")
    table = Table(
        f"attainment_{by}",
        str(_("First-response attainment by %(group)s") % {"group": str(label).lower()}),
        [str(label), str(_("Tickets")), str(_("Met")), str(_("Breached")),
         str(_("Still open")), str(_("Attainment (%)"))],
    )  # fmt: skip
    for key in order:
        row = rows.get(key)
        if not row:
            continue
        decided = row["met"] + row["breached"]
        table.rows.append(
            [tier_label(key) if by == "tier" else key, row["total"], row["met"], row["breached"],
             row["total"] - decided, _percent(row["met"], decided)]
        )  # fmt: skip
    return table


def breaches_per_week(filters: ReportFilters) -> Table:
    """SLA breaches (any metric) whose deadline fell in each week of the period."""
    clocks = SLAClock.objects.filter(
        filters.ticket_q("ticket__"),
        breached_at__gte=filters.since,
        breached_at__lt=filters.until,
    )
    counts = _week_counts(clocks, "breached_at", filters)
    table = Table(
        "breaches_week",
        str(_("Breaches per week")),
        [str(_("Week of")), str(_("Breaches"))],
    )
    table.rows = [[week.isoformat(), counts.get(week, 0)] for week in _weeks(filters)]
    return table


def opened_vs_solved_per_week(filters: ReportFilters) -> Table:
    base = Ticket.objects.filter(filters.ticket_q())
    opened = _week_counts(
        base.filter(created_at__gte=filters.since, created_at__lt=filters.until),
        "created_at",
        filters,
    )
    solved = _week_counts(
        base.filter(solved_at__gte=filters.since, solved_at__lt=filters.until),
        "solved_at",
        filters,
    )
    table = Table(
        "opened_solved",
        str(_("Tickets opened and solved per week")),
        [str(_("Week of")), str(_("Opened")), str(_("Solved"))],
    )
    table.rows = [
        [week.isoformat(), opened.get(week, 0), solved.get(week, 0)] for week in _weeks(filters)
    ]
    return table


def first_response_distribution(filters: ReportFilters) -> Table:
    """How long first responses took in business time, as a share of their target."""
    whens = []
    for label, upper in BUCKETS:
        if upper is None:
            continue
        limit = ExpressionWrapper(F("target") * upper, output_field=DurationField())
        whens.append(When(business_time_to_meet__lte=limit, then=Value(label)))
    rows = (
        first_response_clocks(filters)
        .filter(met_at__isnull=False, business_time_to_meet__isnull=False)
        .annotate(bucket=Case(*whens, default=Value(BUCKETS[-1][0])))
        .values("ticket__priority", "bucket")
        .annotate(count=Count("pk"))
    )
    counts = {(r["ticket__priority"], r["bucket"]): r["count"] for r in rows}
    table = Table(
        "distribution",
        str(_("First-response time in business hours, as a share of the target")),
        [str(_("Priority"))] + [label for label, _upper in BUCKETS],
    )
    for priority in Priority.values:
        values = [counts.get((priority, label), 0) for label, _upper in BUCKETS]
        if any(values):
            table.rows.append([priority, *values])
    return table


class PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile: the first value whose cumulative share >= p."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: str, share: float, **extra: Any) -> None:
        super().__init__(expression, share=float(share), **extra)


def _nearest_rank(queryset: QuerySet, value: str, n: int, share: float) -> object:
    """The nearest-rank percentile of `value` in an ordered queryset of n rows (SQL OFFSET)."""
    rank = max(1, math.ceil(share * n))
    return queryset.order_by(value).values_list(value, flat=True)[rank - 1]


def _percentiles(
    queryset: QuerySet, *, group: str, value: str, counts: dict[str, int]
) -> dict[str, tuple[object, object]]:
    """Median and 90th percentile (nearest rank) of `value` per group, computed in SQL.

    PostgreSQL does it in one grouped query with PERCENTILE_DISC; elsewhere one
    OFFSET query per group and percentile gives the same values.
    """
    if connection.vendor == "postgresql":
        rows = (
            queryset.values(group)
            .annotate(
                median=PercentileDisc(value, 0.5, output_field=DurationField()),
                p90=PercentileDisc(value, 0.9, output_field=DurationField()),
            )
            .order_by()
        )
        return {row[group]: (row["median"], row["p90"]) for row in rows}
    return {
        key: tuple(  # type: ignore[misc]
            _nearest_rank(queryset.filter(**{group: key}), value, n, share) for share in (0.5, 0.9)
        )
        for key, n in counts.items()
        if n
    }


def response_times(filters: ReportFilters) -> Table:
    """Median and 90th percentile first response (business time) and resolution, per priority.

    Resolution is measured in calendar time from creation to solved (the default
    plans set no resolution target).
    """
    responses = first_response_clocks(filters).filter(business_time_to_meet__isnull=False)
    resolutions = Ticket.objects.filter(
        filters.ticket_q(),
        created_at__gte=filters.since,
        created_at__lt=filters.until,
        solved_at__isnull=False,
    ).annotate(
        resolution=ExpressionWrapper(F("solved_at") - F("created_at"), output_field=DurationField())
    )
    response_counts = dict(
        responses.values_list("ticket__priority").annotate(n=Count("pk")).order_by()
    )
    resolution_counts = dict(resolutions.values_list("priority").annotate(n=Count("pk")).order_by())
    table = Table(
        "response_times",
        str(_("First response and resolution times")),
        [str(_("Priority")), str(_("Responses")),
         str(_("Median first response (business time)")),
         str(_("90th percentile first response (business time)")),
         str(_("Solved")), str(_("Median resolution (calendar time)")),
         str(_("90th percentile resolution (calendar time)"))],
    )  # fmt: skip

    response_figures = _percentiles(
        responses, group="ticket__priority", value="business_time_to_meet", counts=response_counts
    )
    resolution_figures = _percentiles(
        resolutions, group="priority", value="resolution", counts=resolution_counts
    )

    def figures(found: dict[str, tuple[object, object]], priority: str) -> list[str]:
        if priority not in found:
            return ["", ""]
        return [format_duration(value) for value in found[priority]]  # type: ignore[arg-type]

    for priority in Priority.values:
        responded = response_counts.get(priority, 0)
        solved = resolution_counts.get(priority, 0)
        if not responded and not solved:
            continue
        table.rows.append(
            [priority, responded, *figures(response_figures, priority),
             solved, *figures(resolution_figures, priority)]
        )  # fmt: skip
    return table


def top_organizations(filters: ReportFilters, *, limit: int = 10) -> Table:
    rows = (
        SLAClock.objects.filter(
            filters.ticket_q("ticket__"),
            breached_at__gte=filters.since,
            breached_at__lt=filters.until,
        )
        .values("ticket__organization__name", "ticket__tier")
        .annotate(breaches=Count("pk"))
        .order_by("-breaches", "ticket__organization__name")[:limit]
    )
    table = Table(
        "organizations",
        str(_("Organizations with the most breaches")),
        [str(_("Organization")), str(_("Tier")), str(_("Breaches"))],
    )
    table.rows = [
        [r["ticket__organization__name"], tier_label(r["ticket__tier"]), r["breaches"]]
        for r in rows
    ]
    return table


def engineer_performance(filters: ReportFilters) -> Table:
    """Per engineer: first responses given (author of the first public staff reply) and
    first-response breaches on tickets assigned to them, for tickets created in the period."""
    clocks = first_response_clocks(filters)
    # The first response is the public staff reply made at the ticket's first_responded_at.
    responses = dict(
        Comment.objects.filter(
            filters.ticket_q("ticket__"),
            ticket__created_at__gte=filters.since,
            ticket__created_at__lt=filters.until,
            by_staff=True,
            is_public=True,
            created_at=F("ticket__first_responded_at"),
        )
        .values_list("author__email")
        .annotate(n=Count("ticket", distinct=True))
        .order_by()
    )
    breaches = dict(
        clocks.filter(breached_at__isnull=False)
        .values_list("ticket__assignee__email")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table = Table(
        "engineers",
        str(_("First responses and breaches per engineer")),
        [str(_("Engineer")), str(_("First responses")), str(_("Breaches (as assignee)"))],
    )
    people = sorted(
        {*responses, *breaches},
        key=lambda email: (email is None, email or ""),
    )
    for email in people:
        table.rows.append(
            [email or str(_("Unassigned")), responses.get(email, 0), breaches.get(email, 0)]
        )
    return table


# The period tables built from their own query (attainment shares one, below).
PERIOD_TABLES: dict[str, Callable[[ReportFilters], Table]] = {
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
    attainment_rows = attainment_counts(filters)
    tables = {
        "now": open_sla_by_tier_and_priority(filters, now=now, counts=open_rows),
        "load": engineer_load(filters, now=now, counts=open_rows),
        "attainment_tier": attainment(filters, by="tier", counts=attainment_rows),
        "attainment_priority": attainment(filters, by="priority", counts=attainment_rows),
    }
    tables.update({key: build(filters) for key, build in PERIOD_TABLES.items()})
    return tables


def dashboard_table(key: str, filters: ReportFilters, *, now: datetime.datetime) -> Table | None:
    """One dashboard table by its key (None for an unknown key), built alone (CSV export)."""
    if key in PERIOD_TABLES:
        return PERIOD_TABLES[key](filters)
    if key in ("attainment_tier", "attainment_priority"):
        return attainment(filters, by=key.removeprefix("attainment_"))
    if key == "now":
        return open_sla_by_tier_and_priority(filters, now=now)
    if key == "load":
        return engineer_load(filters, now=now)
    return None
