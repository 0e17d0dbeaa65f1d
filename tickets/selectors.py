"""Reads on tickets. "What may this user see" is where every view and search starts."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Tier, User
from helpdesk.keyset import KeysetPage, keyset_page
from sla.models import SLAClock
from tickets.models import Attachment, Comment, Event, Status, Ticket
from tickets.queue import OPEN_STATUSES, QUEUE_ORDER
from tickets.templatetags.ticket_tags import event_text

# Every order ends with the id, so keyset pages never tie, and each has an index (for all
# tickets, and within one organization) that gives it without a sort: see Ticket.Meta.
SORTS = {
    "activity": ("-last_activity_at", "-id"),
    "created": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "priority": ("priority", "-last_activity_at", "-id"),
}
PORTAL_PAGE_SIZE = 25


def _own_or_copied(user: User) -> Q:
    """Tickets the user asked for or is CC'd on: ids from two indexed lookups (requester,
    CC) in one subquery. No join, so no DISTINCT; the database reads only this person's
    tickets (an OR over the two would scan every ticket to find them), then orders those."""
    asked = Ticket.objects.filter(requester_id=user.pk).order_by().values("pk")
    copied = Ticket.cc.through.objects.filter(user_id=user.pk).order_by().values("ticket_id")
    return Q(pk__in=asked.union(copied))


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Staff see every ticket; a customer sees their organization's (Community: their own)."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_engineer:
        return Ticket.objects.all()
    organization = user.organization
    if organization is None:
        return Ticket.objects.none()
    if organization.tier == Tier.COMMUNITY:
        return Ticket.objects.filter(_own_or_copied(user))
    return Ticket.objects.filter(organization_id=organization.pk)


def ticket_get_visible(*, user: User, pk: int) -> Ticket:
    """The ticket if this user may see it, else 404 (never a 403 that confirms it exists)."""
    ticket = (
        tickets_visible_to(user)
        .select_related("organization", "requester", "assignee", "product", "plan")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def portal_ticket_list(
    *,
    user: User,
    scope: str = "mine",
    status: str = "",
    priority: str = "",
    query: str = "",
    sort: str = "activity",
) -> QuerySet[Ticket]:
    """The customer's list: their own or their organization's tickets, filtered and sorted.

    Clocks are prefetched, so the page costs a fixed number of queries.
    """
    tickets = tickets_visible_to(user)
    if scope == "mine" or (user.organization and user.organization.tier == Tier.COMMUNITY):
        tickets = tickets.filter(_own_or_copied(user))
    if status == "active":
        tickets = tickets.exclude(status__in=[Status.SOLVED, Status.CLOSED])
    elif status in Status.values:
        tickets = tickets.filter(status=status)
    if priority:
        tickets = tickets.filter(priority=priority)
    query = query.strip()
    if query:
        reference = query.lstrip("#")
        match = Q(subject__icontains=query)
        if reference.isdigit():
            match |= Q(pk=int(reference))
        tickets = tickets.filter(match)
    return (
        tickets.select_related("requester", "assignee")
        .prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))
        .order_by(*SORTS.get(sort, SORTS["activity"]))
    )


def portal_ticket_page(
    *,
    user: User,
    scope: str = "mine",
    status: str = "",
    priority: str = "",
    query: str = "",
    sort: str = "activity",
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage[Ticket]:
    """One page of the portal list after (or before) a cursor: no count, no OFFSET.

    Raises InvalidCursor for a cursor that is not a position in this order.
    """
    tickets = portal_ticket_list(
        user=user, scope=scope, status=status, priority=priority, query=query, sort=sort
    )
    return keyset_page(
        tickets,
        ordering=SORTS.get(sort, SORTS["activity"]),
        size=PORTAL_PAGE_SIZE,
        after=after,
        before=before,
    )


def ticket_conversation(*, ticket: Ticket, viewer: User) -> QuerySet[Comment]:
    """Comments in order, with authors and attachments; internal notes for staff only."""
    comments = ticket.comments.select_related("author").prefetch_related("attachments")
    if not viewer.is_engineer:
        comments = comments.filter(is_public=True)
    return comments


def ticket_timeline(*, ticket: Ticket, viewer: User) -> QuerySet[Event]:
    """Events in order; staff-only events (notes, assignment, SLA flags) for staff only."""
    events = ticket.events.select_related("actor")
    if not viewer.is_engineer:
        events = events.filter(is_public=True)
    return events


# The ticket page shows the newest lines of a long history; the earlier ones are a page
# away, so the page costs the same whatever the ticket's age.
CONVERSATION_SIZE = 50
TIMELINE_SIZE = 50
NEWEST_FIRST = ("-created_at", "-id")


def ticket_conversation_page(
    *, ticket: Ticket, viewer: User, after: str | None = None
) -> KeysetPage[Comment]:
    """The newest CONVERSATION_SIZE comments (or those before the cursor `after`), newest
    first, with the cursor of the earlier ones. Raises InvalidCursor."""
    return keyset_page(
        ticket_conversation(ticket=ticket, viewer=viewer),
        ordering=NEWEST_FIRST,
        size=CONVERSATION_SIZE,
        after=after,
    )


def ticket_timeline_page(
    *, ticket: Ticket, viewer: User, after: str | None = None
) -> KeysetPage[Event]:
    """The newest TIMELINE_SIZE events (or those before the cursor `after`), newest first,
    with the cursor of the earlier ones. Raises InvalidCursor."""
    return keyset_page(
        ticket_timeline(ticket=ticket, viewer=viewer),
        ordering=NEWEST_FIRST,
        size=TIMELINE_SIZE,
        after=after,
    )


def ticket_files(*, ticket: Ticket, viewer: User) -> QuerySet[Attachment]:
    files = ticket.attachments.filter(comment__isnull=True)
    if not viewer.is_engineer:
        files = files.filter(is_public=True)
    return files


def attachment_get_visible(*, user: User, pk: int) -> Attachment:
    """An attachment of a ticket the user may see; internal ones for staff only; else 404."""
    attachment = (
        Attachment.objects.select_related("ticket")
        .filter(pk=pk, ticket__in=tickets_visible_to(user))
        .first()
    )
    if attachment is None or (not attachment.is_public and not user.is_engineer):
        raise Http404
    return attachment


def organization_colleagues(user: User) -> QuerySet[User]:
    """People a customer may CC: active members of the same organization."""
    organization = user.organization
    if organization is None:
        return User.objects.none()
    return organization.members.filter(is_active=True).exclude(pk=user.pk)


def ticket_changes_since(
    *, ticket: Ticket, version: int, viewer: User | None = None
) -> list[tuple[str, str]]:
    """(who, what) for each change people made to the ticket after `version`, oldest first.

    Only public events unless the viewer is staff: a customer never learns of internal
    notes or assignments this way.
    """
    events = (
        Event.objects.filter(ticket_id=ticket.pk, version__gt=version, actor__isnull=False)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    if viewer is None or not viewer.is_engineer:
        events = events.filter(is_public=True)
    return [(str(event.actor), event_text(event)) for event in events]


def tickets_for_countdown(*, ids: list[int]) -> QuerySet[Ticket]:
    """Tickets with what an SLA countdown reads (deadlines, terms, clocks): two queries."""
    return (
        Ticket.objects.filter(pk__in=ids)
        .only("pk", "sla_due_at", "sla_warn_at", "sla_terms")
        .prefetch_related("clocks")
    )


def organization_open_tickets(*, organization_id: int, limit: int = 50) -> QuerySet[Ticket]:
    """An organization's open tickets in queue order (time to breach)."""
    return (
        Ticket.objects.filter(organization_id=organization_id, status__in=OPEN_STATUSES)
        .select_related("assignee")
        .prefetch_related("clocks")
        .defer("description", "description_html")
        .order_by(*QUEUE_ORDER)[:limit]
    )


def organization_sla_record(
    *, organization_id: int, now: datetime.datetime, days: int = 90
) -> dict[str, int]:
    """Clocks started in the last `days` days: met on time, breached, still running."""
    since = now - datetime.timedelta(days=days)
    breached = Q(breached_at__isnull=False) | Q(met_at__isnull=True, due_at__lte=now)
    return SLAClock.objects.filter(
        ticket__organization_id=organization_id, started_at__gte=since
    ).aggregate(
        met=Count("id", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
        breached=Count("id", filter=breached),
        total=Count("id"),
    )


def requester_choices(*, organization_id: int | None) -> QuerySet[User]:
    """Customers a phone ticket can be logged for: the organization's active members."""
    if not organization_id:
        return User.objects.none()
    return User.objects.filter(organization_id=organization_id, is_active=True).order_by(
        "first_name", "email"
    )
