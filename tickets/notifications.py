"""E-mail about a ticket: the receipt when it is filed, the news to engineers who asked
for it, and the requester's and CC'd colleagues' mail when staff reply publicly or the
status changes.

One outbox message per recipient, written in the transaction of the change (so one
failing address delays nothing else, and nothing is lost if the broker is down). Every
one is threaded under the ticket with the recipient's own reply address
(:mod:`tickets.mail_threading`) and carries the reference in its subject. Internal notes
never reach this module's messages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse

from accounts.models import NewTicketEmails, Role, User
from helpdesk.email import email_user
from sla import explain as sla_explain
from sla.models import Metric
from tickets.mail_threading import thread_headers
from tickets.models import Comment, Event, EventKind, Status, Ticket


def _recipients(ticket: Ticket, *, exclude: User | None = None) -> list[User]:
    people = [ticket.requester, *ticket.cc.filter(is_active=True)]
    seen: set[int] = set()
    result = []
    for person in people:
        if person.pk in seen or (exclude is not None and person.pk == exclude.pk):
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _send(
    ticket: Ticket, recipient: User, template: str, context: dict[str, object], *, key: str
) -> None:
    email_user(
        recipient=recipient,
        template=f"tickets/email/{template}",
        context={**context, "ticket": ticket},
        path=reverse("ticket_detail", args=[ticket.pk]),
        key=key,
        headers=thread_headers(ticket_id=ticket.pk, user_id=recipient.pk),
    )


def comment_notify(*, comment_id: int) -> None:
    """Tell the requester and CCs about a public staff reply (never an internal note)."""
    comment = Comment.objects.select_related("ticket__requester", "author").get(pk=comment_id)
    if not comment.is_public or not comment.by_staff:
        return
    for recipient in _recipients(comment.ticket, exclude=comment.author):
        _send(comment.ticket, recipient, "reply", {"comment": comment}, key=f"comment:{comment.pk}")


def status_notify(*, ticket_id: int, status: str, version: int) -> None:
    """Tell the requester and CCs that their ticket's status changed (to `version`)."""
    ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
    for recipient in _recipients(ticket):
        _send(
            ticket,
            recipient,
            "status",
            {"status_label": Status(status).label},
            key=f"status:{ticket_id}:v{version}",
        )


def _promise(ticket: Ticket) -> Callable[[], str]:
    # Called by the template, so the words are in the recipient's language.
    return lambda: sla_explain.first_response_promises(ticket.sla_terms)[ticket.priority]


def engineers_to_tell_of_new_tickets(*, ticket: Ticket) -> list[User]:
    """Active engineers and managers who asked to hear of every new ticket, or of their
    own organizations' (as account manager) and this is one."""
    return list(
        User.objects.filter(is_active=True, groups__name__in=[Role.ENGINEER, Role.MANAGER])
        .filter(
            Q(new_ticket_emails=NewTicketEmails.ALL)
            | Q(
                new_ticket_emails=NewTicketEmails.MINE,
                managed_organizations=ticket.organization_id,
            )
        )
        .distinct()
        .order_by("pk")
    )


def ticket_created_notify(*, ticket_id: int) -> None:
    """A receipt to the requester and CCs (reference, priority, when a first response is
    due in their own zone, or best effort), and the news to engineers who asked for it
    (never the engineer who logged the ticket)."""
    ticket = Ticket.objects.select_related("requester", "organization").get(pk=ticket_id)
    clock = ticket.clocks.filter(metric=Metric.FIRST_RESPONSE, met_at__isnull=True).first()
    context: dict[str, object] = {
        "due": clock.due_at if clock is not None else None,
        "promise": _promise(ticket),
    }
    for recipient in _recipients(ticket):
        _send(ticket, recipient, "receipt", context, key=f"ticket:{ticket.pk}:receipt")
    logged_by = (
        Event.objects.filter(ticket=ticket, kind=EventKind.CREATED)
        .values_list("actor_id", flat=True)
        .first()
    )
    for engineer in engineers_to_tell_of_new_tickets(ticket=ticket):
        if engineer.pk != logged_by:
            _send(ticket, engineer, "new_ticket", context, key=f"ticket:{ticket.pk}:new")


def merge_notify(*, source_id: int) -> None:
    """Tell the merged ticket's requester and CCs where their conversation went."""
    source = Ticket.objects.select_related("requester", "merged_into").get(pk=source_id)
    for recipient in _recipients(source):
        _send(
            source,
            recipient,
            "merged",
            {"target": source.merged_into},
            key=f"merge:{source_id}",
        )
