"""Writes on notifications: create them (with one e-mail each) and mark them read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from helpdesk.email import email_user
from notifications.models import Notification, NotificationKind
from tickets.mail_threading import thread_headers

if TYPE_CHECKING:
    from tickets.models import Ticket


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
    people: dict[int, User] = {}
    for person in recipients:
        people.setdefault(person.pk, person)
    created = Notification.objects.bulk_create(
        Notification(
            recipient=person, ticket=ticket, kind=kind, params=params, key=key, created_at=at
        )
        for person in people.values()
    )
    for notification in created:
        notification_email(notification=notification)
    return created


def notification_url(notification: Notification) -> str:
    """Where opening the notification leads: its ticket, else the notification list."""
    if notification.ticket_id:
        return reverse("ticket_detail", args=[notification.ticket_id])
    if notification.kind == NotificationKind.TRIAL_ENDING:
        return reverse("organization_list")
    return reverse("notifications:list")


def notification_email(*, notification: Notification) -> None:
    """Write the e-mail of one notification to the outbox, in its recipient's language
    and time zone (the text is rendered there, not here). One about a ticket is threaded
    under it, with the recipient's own reply address."""
    headers = {"X-Helpdesk-Notification": notification.kind}
    if notification.ticket_id:
        headers |= thread_headers(
            ticket_id=notification.ticket_id, user_id=notification.recipient_id
        )
    email_user(
        recipient=notification.recipient,
        template="notifications/email/notification",
        context={"notification": notification},
        path=notification_url(notification),
        key=f"notification:{notification.pk}",
        headers=headers,
    )


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
