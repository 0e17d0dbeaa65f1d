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

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse

from accounts.models import NewTicketEmails, Role, User
from helpdesk.email import email_message, email_user
from helpdesk.outbox import outbox_enqueue_many
from sla import explain as sla_explain
from sla.models import Metric, SLAClock
from tickets.mail_threading import thread_headers
from tickets.models import Comment, Status, Ticket


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


def _message(
    ticket: Ticket, recipient: User, template: str, context: dict[str, object], *, key: str
) -> tuple[str, Mapping[str, Any]]:
    return email_message(
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


def ticket_created_notify(
    *, ticket: Ticket, clocks: Sequence[SLAClock], cc: Sequence[User], logged_by: User
) -> None:
    """A receipt to the requester and CCs (reference, priority, when a first response is
    due in their own zone, or best effort), and the news to engineers who asked for it
    (never the engineer who logged the ticket).

    Called by ``ticket_create`` with what it just wrote (the ticket with its requester and
    organization, its clocks, its CCs, who logged it), so nothing is read back; the keys
    are new with the ticket, so all its messages go to the outbox in one INSERT.
    """
    due = next((clock.due_at for clock in clocks if clock.metric == Metric.FIRST_RESPONSE), None)
    context: dict[str, object] = {"due": due, "promise": _promise(ticket)}
    colleagues = sorted((user for user in cc if user.is_active), key=lambda user: user.email)
    people = [ticket.requester, *colleagues]
    recipients = list({person.pk: person for person in people}.values())
    messages = [
        _message(ticket, recipient, "receipt", context, key=f"ticket:{ticket.pk}:receipt")
        for recipient in recipients
    ]
    messages += [
        _message(ticket, engineer, "new_ticket", context, key=f"ticket:{ticket.pk}:new")
        for engineer in engineers_to_tell_of_new_tickets(ticket=ticket)
        if engineer.pk != logged_by.pk
    ]
    outbox_enqueue_many(messages=messages)


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
