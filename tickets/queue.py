"""Reads for the engineers' queue: filters, time-to-breach order, counts, SLA countdowns.

The queue is every ticket, by default the open ones, ordered by time to breach:
`sla_due_at` ascending with NULLs last (breached first, then soonest due, then tickets
without a running clock), then oldest first. Partial indexes on the open statuses
(`Ticket.Meta.indexes`) serve that order alone or after one equality filter, so the
first page reads a few dozen index entries whatever the size of the table.

Pages are keyset pages: a link to the next (previous) page carries the sort key of the
last (first) row shown, and the page reads the rows after (before) it from the same
index, so a page deep in a view costs what the first one does (no OFFSET). Side-bar
counts stop at 1,000 (`LIMIT 1001`), so they do not grow with the open backlog.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

from accounts.models import Tier, User
from helpdesk.inputs import is_id, parse_id
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.explain import Countdown, countdown
from sla.models import Priority, SLAClock
from tickets import workflow
from tickets.models import Channel, SavedView, Status, Tag, Ticket, TicketTag
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

    def condition(
        self,
        *,
        user: User,
        now: datetime.datetime,
        tag_ids: Mapping[str, int] | None = None,
    ) -> Q:
        """The WHERE clause: every filter combined with AND.

        Tags are matched by id (`tag_ids`, from :func:`resolve_tag_ids`; looked up here
        when not given): with the id in the query, PostgreSQL's statistics on
        `tickettag.tag_id` see how rare a tag is and read a rare tag's tickets from the
        (tag, ticket) index instead of probing it for every open ticket in queue order.
        """
        if self.tags and tag_ids is None:
            tag_ids = resolve_tag_ids(self.tags)
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
            tag_id = (tag_ids or {}).get(name)
            if tag_id is None:
                return Q(pk__in=[])  # no such tag: nothing matches
            # A semi-join per tag on the (tag, ticket) unique index: several tags combine.
            q &= Q(Exists(TicketTag.objects.filter(ticket_id=OuterRef("pk"), tag_id=tag_id)))
        return q


def resolve_tag_ids(names: Iterable[str]) -> dict[str, int]:
    """The ids of the tags named (one query; none when no name is given)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    return dict(Tag.objects.filter(name__in=wanted).values_list("name", "id"))


def queue_tickets(
    *,
    user: User,
    filters: QueueFilters,
    now: datetime.datetime,
    tag_ids: Mapping[str, int] | None = None,
) -> QuerySet[Ticket]:
    """The queue's tickets for an engineer, filtered, in time-to-breach order.

    Rows carry what the page shows (organization, assignee; :func:`queue_page` adds the
    clocks), so a page costs a fixed number of queries whatever its size.
    """
    return (
        Ticket.objects.filter(filters.condition(user=user, now=now, tag_ids=tag_ids))
        .select_related("organization", "assignee")
        .defer("description", "description_html")
        .order_by(*QUEUE_ORDER)
    )


# --- keyset pages --------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)
_NO_DUE = "n"


def _encode_instant(value: datetime.datetime) -> str:
    return str((value - _EPOCH) // _MICROSECOND)


def _decode_instant(text: str) -> datetime.datetime:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError("not an instant")
    try:
        return _EPOCH + int(text) * _MICROSECOND
    except OverflowError as error:
        raise ValueError("instant out of range") from error


@dataclass(frozen=True)
class QueueKey:
    """A row's place in the queue order: (due or none, created, id), written in a link as
    `<due µs since 1970 or n>.<created µs>.<id>`."""

    due: datetime.datetime | None
    created: datetime.datetime
    id: int

    @classmethod
    def of(cls, ticket: Ticket) -> QueueKey:
        return cls(ticket.sla_due_at, ticket.created_at, ticket.pk)

    def encode(self) -> str:
        due = _NO_DUE if self.due is None else _encode_instant(self.due)
        return f"{due}.{_encode_instant(self.created)}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> QueueKey:
        """The key in a link; ValueError when it was not written by :meth:`encode`."""
        parts = text.split(".")
        if len(parts) != 3:
            raise ValueError("a queue key has three parts")
        due_text, created_text, id_text = parts
        ticket_id = parse_id(id_text)
        if ticket_id is None:
            raise ValueError("not a ticket id")
        due = None if due_text == _NO_DUE else _decode_instant(due_text)
        return cls(due, _decode_instant(created_text), ticket_id)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    size: int
    has_next: bool
    has_previous: bool

    @property
    def next_key(self) -> str:
        return QueueKey.of(self.rows[-1].ticket).encode() if self.rows else ""

    @property
    def previous_key(self) -> str:
        return QueueKey.of(self.rows[0].ticket).encode() if self.rows else ""


def _after(tickets: QuerySet[Ticket], key: QueueKey, limit: int) -> list[Ticket]:
    """Up to `limit` rows after `key` in queue order: those with a deadline (from the
    index, by a row comparison), then, if the page is not full, those without one."""
    found: list[Ticket] = []
    if key.due is not None:
        due_key = Tuple(F("sla_due_at"), F("created_at"), F("id"))
        found = list(
            tickets.filter(
                TupleGreaterThan(due_key, (key.due, key.created, key.id)),
                sla_due_at__isnull=False,
            ).order_by("sla_due_at", "created_at", "id")[:limit]
        )
    if len(found) < limit:
        # Ordered as the index is (all of these deadlines are NULL), so the planner reads
        # the queue's partial index from the key rather than another index and a sort.
        undated = tickets.filter(sla_due_at__isnull=True).order_by("sla_due_at", "created_at", "id")
        if key.due is None:
            undated = undated.filter(
                TupleGreaterThan(Tuple(F("created_at"), F("id")), (key.created, key.id))
            )
        found += list(undated[: limit - len(found)])
    return found


def _before(tickets: QuerySet[Ticket], key: QueueKey, limit: int) -> list[Ticket]:
    """Up to `limit` rows before `key`, nearest first (the index read backwards)."""
    found: list[Ticket] = []
    if key.due is None:
        found = list(
            tickets.filter(
                TupleLessThan(Tuple(F("created_at"), F("id")), (key.created, key.id)),
                sla_due_at__isnull=True,
            ).order_by("-sla_due_at", "-created_at", "-id")[:limit]
        )
    if len(found) < limit:
        dated = tickets.filter(sla_due_at__isnull=False).order_by(
            "-sla_due_at", "-created_at", "-id"
        )
        if key.due is not None:
            dated = dated.filter(
                TupleLessThan(
                    Tuple(F("sla_due_at"), F("created_at"), F("id")),
                    (key.due, key.created, key.id),
                )
            )
        found += list(dated[: limit - len(found)])
    return found


def queue_page(
    tickets: QuerySet[Ticket],
    *,
    size: int,
    now: datetime.datetime,
    after: QueueKey | None = None,
    before: QueueKey | None = None,
) -> QueuePage:
    """One keyset page: the first, the one after `after` or the one before `before`,
    reading one row more than shown to know whether the page has a neighbour that way."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if before is not None:
        found = _before(tickets, before, size + 1)
        shown = found[:size][::-1]
        has_next, has_previous = True, len(found) > size
    else:
        found = _after(tickets, after, size + 1) if after else list(tickets[: size + 1])
        shown = found[:size]
        has_next, has_previous = len(found) > size, after is not None
    # The clocks of the rows shown, in one query however the page was read.
    prefetch_related_objects(
        shown, Prefetch("clocks", queryset=SLAClock.objects.order_by("metric"))
    )
    return QueuePage(
        rows=queue_rows(shown, now=now), size=size, has_next=has_next, has_previous=has_previous
    )


# --- views and their counts ----------------------------------------------------------------

COUNT_LIMIT = 1000


@dataclass(frozen=True)
class BoundedCount:
    """How many tickets match, exact up to :data:`COUNT_LIMIT`; above it only "more"."""

    value: int

    @property
    def more(self) -> bool:
        return self.value > COUNT_LIMIT

    def __str__(self) -> str:
        shown = number_format(min(self.value, COUNT_LIMIT), force_grouping=True)
        return f"{shown}+" if self.more else shown


@dataclass
class QueueView:
    """A named filter in the side bar: built in, or saved by the engineer."""

    key: str
    name: str
    query: str
    saved: SavedView | None = None
    count: BoundedCount | None = None


def queue_views(*, user: User) -> list[QueueView]:
    """The built-in views, then the engineer's saved views."""
    views = [QueueView(view.key, str(view.name), view.query) for view in BUILTIN_VIEWS]
    views += [
        QueueView(f"saved-{saved.pk}", saved.name, saved.query, saved=saved)
        for saved in SavedView.objects.filter(user=user)
    ]
    return views


def queue_counts(
    *,
    user: User,
    queries: Mapping[str, str],
    now: datetime.datetime,
    tag_ids: Mapping[str, int] | None = None,
) -> dict[str, BoundedCount]:
    """How many tickets each query string matches, up to 1,000 each, in one query.

    Each count reads at most 1,001 matching rows (`LIMIT 1001` in a subquery), so its
    cost does not grow with the open backlog when an index serves the filter.
    """
    parsed = {key: QueueFilters.parse(QueryDict(query)) for key, query in queries.items()}
    if tag_ids is None:
        tag_ids = resolve_tag_ids(name for filters in parsed.values() for name in filters.tags)
    parts: list[str] = []
    params: list[Any] = []
    for index, filters in enumerate(parsed.values()):
        matches = (
            Ticket.objects.filter(filters.condition(user=user, now=now, tag_ids=tag_ids))
            .order_by()
            .values("pk")[: COUNT_LIMIT + 1]
        )
        try:
            sql, part_params = matches.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (an unknown tag)
            parts.append("0")
            continue
        # `sql` is Django's own compiled query; its values stay parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS matches_{index})")  # noqa: S608
        params += part_params
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        values = cursor.fetchone()
    return {key: BoundedCount(value) for key, value in zip(parsed, values, strict=True)}


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
