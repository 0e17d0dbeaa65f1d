"""Reads for the engineers' queue: filters, time-to-breach order, counts, SLA countdowns.

The queue is every ticket, by default the open ones, ordered by time to breach:
`sla_due_at` ascending with NULLs last (breached first, then soonest due, then tickets
without a running clock), then oldest first. Partial indexes on the open statuses
(`Ticket.Meta.indexes`) serve that order alone or after one equality filter, so the
first page reads a few dozen index entries whatever the size of the table.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from accounts.models import Tier, User
from helpdesk.inputs import is_id, parse_id
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.explain import Countdown, countdown
from sla.models import Priority, SLAClock
from tickets import workflow
from tickets.models import Channel, SavedView, Status, Ticket, TicketTag
from tickets.tag_names import parse_tags

OPEN_STATUSES: list[str] = sorted(workflow.ACTIVE)
QUEUE_ORDER = (F("sla_due_at").asc(nulls_last=True), "created_at", "id")
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
ASSIGNEE_CHOICES = ("me", "unassigned", "anyone")
SLA_CHOICES = ("at_risk", "breached")


@dataclass(frozen=True)
class BuiltinView:
    key: str
    name: Any
    query: str


BUILTIN_VIEWS: tuple[BuiltinView, ...] = (
    BuiltinView("all", gettext_lazy("All open"), ""),
    BuiltinView("mine", gettext_lazy("My open"), "assignee=me"),
    BuiltinView(
        "unassigned",
        gettext_lazy("Unassigned P1/P2"),
        "assignee=unassigned&priority=P1&priority=P2",
    ),
    BuiltinView("at_risk", gettext_lazy("At risk"), "sla=at_risk"),
    BuiltinView("breached", gettext_lazy("Breached"), "sla=breached"),
)


@dataclass
class QueueFilters:
    """The queue's filters, parsed from (and written back to) a query string."""

    statuses: list[str] = field(default_factory=list)  # empty: the open statuses
    any_status: bool = False
    priorities: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    organization: int | None = None
    assignee: str = "anyone"  # me, unassigned, anyone or an engineer's id
    sla: str = ""
    channel: str = ""
    product: int | None = None
    text: str = ""
    tags: list[str] = field(default_factory=list)  # every one of them (AND)

    @classmethod
    def parse(cls, data: QueryDict | Mapping[str, Any]) -> QueueFilters:
        """Unknown values are dropped, never an error: a bookmarked URL always works."""
        if not isinstance(data, QueryDict):
            query = QueryDict(mutable=True)
            for key, value in data.items():
                values = value if isinstance(value, list) else [value]
                query.setlist(key, [str(item) for item in values])
            data = query
        statuses = [value for value in data.getlist("status") if value]
        assignee = data.get("assignee", "anyone") or "anyone"
        if assignee not in ASSIGNEE_CHOICES and not is_id(assignee):
            assignee = "anyone"
        return cls(
            statuses=[value for value in statuses if value in Status.values],
            any_status="any" in statuses,
            priorities=[value for value in data.getlist("priority") if value in Priority.values],
            tiers=[value for value in data.getlist("tier") if value in Tier.values],
            organization=parse_id(data.get("organization")),
            assignee=assignee,
            sla=data.get("sla", "") if data.get("sla") in SLA_CHOICES else "",
            channel=data.get("channel", "") if data.get("channel") in Channel.values else "",
            product=parse_id(data.get("product")),
            text=(data.get("q") or "").strip()[:200],
            tags=parse_tags(data.getlist("tag"))[:10],
        )

    @property
    def open_only(self) -> bool:
        """Whether every ticket this filter can match is open (the partial indexes apply)."""
        if self.any_status:
            return False
        return not self.statuses or set(self.statuses) <= set(OPEN_STATUSES)

    def to_query(self) -> str:
        pairs: list[tuple[str, str]] = []
        if self.any_status:
            pairs.append(("status", "any"))
        pairs += [("status", value) for value in self.statuses]
        pairs += [("priority", value) for value in self.priorities]
        pairs += [("tier", value) for value in self.tiers]
        if self.organization:
            pairs.append(("organization", str(self.organization)))
        if self.assignee != "anyone":
            pairs.append(("assignee", self.assignee))
        if self.sla:
            pairs.append(("sla", self.sla))
        if self.channel:
            pairs.append(("channel", self.channel))
        if self.product:
            pairs.append(("product", str(self.product)))
        if self.text:
            pairs.append(("q", self.text))
        pairs += [("tag", name) for name in self.tags]
        return urlencode(pairs)

    def condition(self, *, user: User, now: datetime.datetime) -> Q:
        """The WHERE clause: every filter combined with AND."""
        q = Q()
        if self.statuses:
            q &= Q(status__in=self.statuses)
        elif not self.any_status:
            q &= Q(status__in=OPEN_STATUSES)
        if self.priorities:
            q &= Q(priority__in=self.priorities)
        if self.tiers:
            q &= Q(tier__in=self.tiers)
        if self.organization:
            q &= Q(organization_id=self.organization)
        if self.assignee == "me":
            q &= Q(assignee_id=user.pk)
        elif self.assignee == "unassigned":
            q &= Q(assignee__isnull=True)
        elif is_id(self.assignee):
            q &= Q(assignee_id=parse_id(self.assignee))
        if self.sla == "at_risk":
            q &= Q(sla_warn_at__lte=now, sla_due_at__gt=now)
        elif self.sla == "breached":
            q &= Q(sla_due_at__lte=now)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.product:
            q &= Q(product_id=self.product)
        if self.text:
            reference = self.text.lstrip("#")
            match = Q(subject__icontains=self.text)
            if is_id(reference):
                match |= Q(pk=parse_id(reference))
            q &= match
        for name in self.tags:
            # A semi-join per tag on the (tag, ticket) unique index: several tags combine.
            q &= Q(Exists(TicketTag.objects.filter(ticket_id=OuterRef("pk"), tag__name=name)))
        return q


def queue_tickets(*, user: User, filters: QueueFilters, now: datetime.datetime) -> QuerySet[Ticket]:
    """The queue's tickets for an engineer, filtered, in time-to-breach order.

    Rows carry what the page shows (organization, assignee, clocks), so a page costs a
    fixed number of queries whatever its size.
    """
    return (
        Ticket.objects.filter(filters.condition(user=user, now=now))
        .select_related("organization", "assignee")
        .prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))
        .defer("description", "description_html")
        .order_by(*QUEUE_ORDER)
    )


def queue_total(*, user: User, filters: QueueFilters, now: datetime.datetime) -> int:
    """How many tickets the filters match (one COUNT query)."""
    return Ticket.objects.filter(filters.condition(user=user, now=now)).count()


@dataclass
class QueuePage:
    rows: list[QueueRow]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


MAX_PAGE_NUMBER = 10**9


def queue_page(
    tickets: QuerySet[Ticket], *, number: int, size: int, now: datetime.datetime
) -> QueuePage:
    """One page by offset, reading one row more than shown to know if another page follows."""
    # Capped so the offset fits a database integer: a page that far is simply empty.
    number = max(1, min(number, MAX_PAGE_NUMBER))
    size = max(1, min(size, MAX_PAGE_SIZE))
    offset = (number - 1) * size
    found = list(tickets[offset : offset + size + 1])
    rows = queue_rows(found[:size], now=now)
    return QueuePage(rows=rows, number=number, size=size, has_next=len(found) > size)


# --- views and their counts ----------------------------------------------------------------


@dataclass
class QueueView:
    """A named filter in the side bar: built in, or saved by the engineer."""

    key: str
    name: str
    query: str
    saved: SavedView | None = None
    count: int | None = None


def queue_views(*, user: User) -> list[QueueView]:
    """The built-in views, then the engineer's saved views."""
    views = [QueueView(view.key, str(view.name), view.query) for view in BUILTIN_VIEWS]
    views += [
        QueueView(f"saved-{saved.pk}", saved.name, saved.query, saved=saved)
        for saved in SavedView.objects.filter(user=user)
    ]
    return views


def queue_counts(
    *, user: User, queries: Mapping[str, str], now: datetime.datetime
) -> dict[str, int]:
    """How many tickets each query string matches, in at most two aggregate queries.

    Filters confined to open tickets are counted together over the open tickets (the
    partial indexes' rows); any others together over all tickets.
    """
    groups: dict[bool, dict[str, Q]] = {True: {}, False: {}}
    for key, query in queries.items():
        filters = QueueFilters.parse(QueryDict(query))
        groups[filters.open_only][key] = filters.condition(user=user, now=now)
    counts: dict[str, int] = {}
    for open_only, conditions in groups.items():
        if not conditions:
            continue
        base = Ticket.objects.filter(status__in=OPEN_STATUSES) if open_only else Ticket.objects
        aliases = {f"c{index}": key for index, key in enumerate(conditions)}
        result = base.aggregate(
            **{
                alias: Count("priority", filter=conditions[key])
                if conditions[key]
                else Count("priority")
                for alias, key in aliases.items()
            }
        )
        counts.update({key: result[alias] for alias, key in aliases.items()})
    return counts


# --- rows and their SLA countdowns ---------------------------------------------------------


@dataclass
class QueueRow:
    ticket: Ticket
    sla: Countdown


class CalendarCache:
    """Business calendars rebuilt from ticket snapshots, once per distinct snapshot."""

    def __init__(self) -> None:
        self._calendars: dict[str, BusinessCalendar | None] = {}

    def for_terms(self, terms: Mapping[str, Any]) -> BusinessCalendar | None:
        key = json.dumps(terms.get("calendar"), sort_keys=True)
        if key not in self._calendars:
            self._calendars[key] = sla_services.calendar_from_terms(terms)
        return self._calendars[key]


def sla_countdown(
    ticket: Ticket, *, now: datetime.datetime, calendars: CalendarCache | None = None
) -> Countdown:
    """The ticket's SLA state as a countdown on its own calendar (see
    :func:`sla.explain.countdown`). Uses the ticket's `sla_due_at`/`sla_warn_at` and its
    prefetched clocks: no query."""
    terms = ticket.sla_terms or {}
    return countdown(
        due=ticket.sla_due_at,
        warn=ticket.sla_warn_at,
        clocks=list(ticket.clocks.all()),
        calendar=(calendars or CalendarCache()).for_terms(terms),
        is_24x7=bool((terms.get("calendar") or {}).get("is_24x7")),
        now=now,
    )


def queue_rows(tickets: Iterable[Ticket], *, now: datetime.datetime) -> list[QueueRow]:
    calendars = CalendarCache()
    return [
        QueueRow(ticket, sla_countdown(ticket, now=now, calendars=calendars)) for ticket in tickets
    ]
