"""Writes on notifications: create them (with one e-mail each) and mark them read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from helpdesk.bulk import insert_rows
from helpdesk.email import email_message, email_user
from helpdesk.models import OutboxMessage
from helpdesk.outbox import outbox_enqueue_many, send_email
from notifications.models import Notification, NotificationKind
from tickets.mail_threading import thread_headers

if TYPE_CHECKING:
    from tickets.models import Ticket

# The outbox kind of a notification's e-mail rendered by the relay (see notify_many).
NOTIFICATION_EMAIL = "notification"


@dataclass(frozen=True)
class News:
    """One piece of news for several people (see :func:`notify_many`)."""

    recipients: Sequence[User]
    kind: str
    params: dict[str, Any]
    ticket: Ticket | None = None
    key: str = ""


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    params: dict[str, Any],
    ticket: Ticket | None = None,
    key: str = "",
    at: datetime.datetime | None = None,
) -> list[Notification]:
    """Notify each distinct recipient once: an in-app notification and an e-mail.

    Call it inside the transaction that decided the news, so both happen exactly when
    that transaction commits: each e-mail is an outbox message written in it, delivered
    after COMMIT; a failing address retries alone and never undoes or delays anything.
    """
    at = at or timezone.now()
    created = Notification.objects.bulk_create(
        _notifications(News(list(recipients), kind, params, ticket, key), at)
    )
    for notification in created:
        notification_email(notification=notification)
    return created


def notify_many(*, news: Iterable[News], at: datetime.datetime) -> int:
    """Notify many pieces of news at once (a monitor batch): every notification in one
    INSERT and every e-mail in one outbox INSERT, in the caller's transaction, with the
    relay woken once after COMMIT. The same rules as :func:`notify`, so the keys must be
    new (the caller won the claim that decided the news). Returns how many were told.

    Each e-mail's row names its notification and is rendered by the relay when it
    delivers it (:func:`notification_email_send`), in the recipient's language and zone
    as :func:`notify`'s are: a transaction that tells thousands renders nothing, and the
    message is the same one, under the same key and Message-ID, as if rendered here."""
    told = [(person, item) for item in news for person in _distinct(item.recipients)]
    ids = insert_rows(
        Notification,
        ["recipient", "ticket", "kind", "params", "key", "created_at"],
        [
            {"recipient": person.pk, "ticket": item.ticket.pk if item.ticket else None,
             "kind": item.kind, "params": item.params, "key": item.key, "created_at": at}
            for person, item in told
        ],
    )  # fmt: skip
    outbox_enqueue_many(
        kind=NOTIFICATION_EMAIL,
        messages=[
            (f"notification:{pk}:to:{person.pk}", {"notification": pk, "to": [person.email]})
            for pk, (person, _item) in zip(ids, told, strict=True)
        ],
    )
    return len(ids)


def _distinct(recipients: Iterable[User]) -> list[User]:
    """Each person once, in the order first given."""
    people: dict[int, User] = {}
    for person in recipients:
        people.setdefault(person.pk, person)
    return list(people.values())


def _notifications(news: News, at: datetime.datetime) -> list[Notification]:
    return [
        Notification(
            recipient=person,
            ticket=news.ticket,
            kind=news.kind,
            params=news.params,
            key=news.key,
            created_at=at,
        )
        for person in _distinct(news.recipients)
    ]


def notification_url(notification: Notification) -> str:
    """Where opening the notification leads: its ticket, else the notification list."""
    if notification.ticket_id:
        return reverse("ticket_detail", args=[notification.ticket_id])
    if notification.kind == NotificationKind.TRIAL_ENDING:
        return reverse("organization_list")
    return reverse("notifications:list")


def _notification_email_arguments(notification: Notification) -> dict[str, Any]:
    headers = {"X-Helpdesk-Notification": notification.kind}
    if notification.ticket_id:
        headers |= thread_headers(
            ticket_id=notification.ticket_id, user_id=notification.recipient_id
        )
    return {
        "recipient": notification.recipient,
        "template": "notifications/email/notification",
        "context": {"notification": notification},
        "path": notification_url(notification),
        "key": f"notification:{notification.pk}",
        "headers": headers,
    }


def notification_email_send(message: OutboxMessage) -> None:
    """Deliver an outbox row written by :func:`notify_many`: render its notification's
    e-mail now and send it (a notification deleted since, with its recipient or ticket,
    has nobody left to tell: nothing is sent)."""
    notification = (
        Notification.objects.select_related("recipient", "ticket")
        .filter(pk=message.payload["notification"])
        .first()
    )
    if notification is None:
        return
    key, payload = email_message(**_notification_email_arguments(notification))
    send_email(key=key, payload=payload)


def notification_email(*, notification: Notification) -> None:
    """Write the e-mail of one notification to the outbox, in its recipient's language
    and time zone (the text is rendered there, not here). One about a ticket is threaded
    under it, with the recipient's own reply address."""
    email_user(**_notification_email_arguments(notification))


def notification_mark_read(
    *, notification: Notification, at: datetime.datetime | None = None
) -> bool:
    """Mark one notification read (the first time only); True if this call did it."""
    at = at or timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=at
    )
    if updated:
        notification.read_at = at
    return bool(updated)


def notifications_mark_all_read(*, recipient: User, at: datetime.datetime | None = None) -> int:
    """Mark every unread notification of the recipient read; returns how many."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )
