"""E-mail to the requester and CC'd colleagues when staff reply publicly or the status changes.

One outbox message per recipient, written in the transaction of the change (so one
failing address delays nothing else, and nothing is lost if the broker is down). Every
one is threaded under the ticket with the recipient's own reply address
(:mod:`tickets.mail_threading`).
Internal notes never reach this module's messages.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from helpdesk.email import email_user
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
