"""The outbox relay: messages leave through the database, never lost, never doubled.

A service calls :func:`outbox_enqueue` inside its transaction; the row commits with
the change or not at all. After COMMIT a robust hook wakes the relay through the broker
(:func:`helpdesk.tasks.deliver_outbox_message`); nothing it does can turn the committed
write into an error, and a broker that is down only delays delivery: Celery beat sweeps
the due rows every few seconds (:func:`outbox_sweep`), so no message depends on its
wake-up. Each delivery claims its row by a conditional UPDATE that moves
``next_attempt_at`` out by a lease: two relays never send the same row at once, and a
relay killed mid-delivery leaves the row due again when the lease runs out.

Delivery is at least once by construction (a crash after the mail server accepted a
message but before the row is marked sent repeats it after the lease); every e-mail
carries a ``Message-ID`` derived from its idempotency key, so that rare repeat is the
same message to every mail client and server.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from helpdesk.bulk import insert_rows
from helpdesk.celery import app as celery_app
from helpdesk.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

DELIVER_TASK = "helpdesk.tasks.deliver_outbox_message"
DELIVER_MANY_TASK = "helpdesk.tasks.deliver_outbox_messages"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def outbox_enqueue(*, key: str, payload: Mapping[str, Any], kind: str = "email") -> OutboxMessage:
    """Write one message to send, in the caller's transaction, once per `key`.

    A second call with the same key (a retried task, a doubled request) returns the row
    already there. The relay is woken after COMMIT; a broker outage only delays it.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(kind=kind, key=key, payload=dict(payload))
    except IntegrityError:
        return OutboxMessage.objects.get(key=key)
    transaction.on_commit(lambda: wake_relay(message_id=message.pk), robust=True)
    return message


def outbox_enqueue_many(
    *, messages: list[tuple[str, Mapping[str, Any]]], kind: str = "email"
) -> list[int]:
    """Write many messages (``(key, payload)`` pairs) in the caller's transaction, in one
    INSERT per few thousand, for callers whose keys are new by construction (e.g. the
    notifications of a flag just claimed): a key already there fails the whole
    transaction, never doubles a message. The relay is woken once, after COMMIT, for all
    of them. Returns the new rows' ids."""
    if not messages:
        return []
    now = timezone.now()
    ids = insert_rows(
        OutboxMessage,
        ["kind", "key", "payload", "state", "attempts", "next_attempt_at", "last_error",
         "created_at"],
        [
            {"kind": kind, "key": key, "payload": dict(payload), "state": OutboxState.PENDING,
             "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now}
            for key, payload in messages
        ],
    )  # fmt: skip
    transaction.on_commit(lambda: wake_relay_many(message_ids=ids), robust=True)
    return ids


def wake_relay_many(*, message_ids: list[int]) -> None:
    """Ask a worker to deliver these messages now: one publish for all of them (the beat
    sweep delivers them if the broker is down)."""
    try:
        if celery_app.conf.task_always_eager:
            for message_id in message_ids:
                outbox_deliver(message_id=message_id)
        else:
            celery_app.send_task(
                DELIVER_MANY_TASK, kwargs={"message_ids": message_ids}, retry=False
            )
    except Exception:  # the broker is down: logged, and the beat sweep has them
        logger.warning("Outbox: could not wake the relay for %d messages", len(message_ids))


def wake_relay(*, message_id: int) -> None:
    """Ask a worker to deliver one message now (one publish attempt, no waiting): if the
    broker is down the sweep delivers it instead. Eager mode (tests, scripts) delivers
    in-process, as a worker would."""
    try:
        if celery_app.conf.task_always_eager:
            outbox_deliver(message_id=message_id)
        else:
            # By name: helpdesk.tasks imports this module, not the reverse.
            celery_app.send_task(DELIVER_TASK, kwargs={"message_id": message_id}, retry=False)
    except Exception:  # the broker is down: logged, and the beat sweep has it
        logger.warning("Outbox: could not wake the relay for message %s", message_id)


def _backoff(attempts: int) -> datetime.timedelta:
    """10 s, 20 s, 40 s ... capped at 10 minutes."""
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 10)
    cap = _setting("OUTBOX_RETRY_MAX_SECONDS", 600)
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def message_id_for(key: str) -> str:
    """A stable Message-ID for the key: a repeated delivery is the same message. Its domain
    is our mail domain (``INBOUND_EMAIL_ADDRESS``'s), as the tickets' thread roots'."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = (
        getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", "")
        or settings.INBOUND_EMAIL_ADDRESS.rpartition("@")[2]
        or "helpdesk.invalid"
    )
    return f"<{digest}@{domain}>"


def send_email(*, key: str, payload: Mapping[str, Any]) -> None:
    """Send one rendered e-mail payload now, its Message-ID derived from `key`."""
    headers = {"Message-ID": message_id_for(key), **payload.get("headers", {})}
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        to=list(payload["to"]),
        headers=headers,
        connection=get_connection(timeout=_setting("EMAIL_TIMEOUT", 20)),
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    email.send()


def _send_email(message: OutboxMessage) -> None:
    send_email(key=message.key, payload=message.payload)


SENDERS: dict[str, Callable[[OutboxMessage], None]] = {"email": _send_email}


def register_sender(kind: str, sender: Callable[[OutboxMessage], None]) -> None:
    """Let an app deliver messages of its own `kind` (e.g. e-mails it renders at delivery,
    so a transaction that writes thousands of them renders none): called from its
    ``AppConfig.ready``, as this module may import no app above it."""
    SENDERS[kind] = sender


def outbox_deliver(*, message_id: int, now: datetime.datetime | None = None) -> bool:
    """Deliver one due message if this caller wins its claim; True if it was sent.

    A failure schedules the next attempt with backoff; after ``OUTBOX_MAX_ATTEMPTS`` the
    message is marked failed and logged as an error, for an administrator to resend.
    """
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS", 30))
    claimed = OutboxMessage.objects.filter(
        pk=message_id, state=OutboxState.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease, attempts=F("attempts") + 1)
    if not claimed:
        return False  # sent already, failed for good, or another relay holds it
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        SENDERS[message.kind](message)
    except Exception as error:
        _record_failure(message, error=error, now=timezone.now())
        return False
    OutboxMessage.objects.filter(pk=message_id, state=OutboxState.PENDING).update(
        state=OutboxState.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _record_failure(message: OutboxMessage, *, error: Exception, now: datetime.datetime) -> None:
    text = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 8):
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=OutboxState.FAILED, last_error=text
        )
        logger.error(
            "Outbox: gave up on %s %s after %d attempts: %s",
            message.kind,
            message.key,
            message.attempts,
            text,
        )
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=now + _backoff(message.attempts), last_error=text
    )
    logger.warning(
        "Outbox: %s %s failed (attempt %d), retrying: %s",
        message.kind,
        message.key,
        message.attempts,
        text,
    )


def outbox_due(*, now: datetime.datetime, limit: int) -> list[int]:
    """Ids of pending messages due by `now`, oldest first (the partial index serves it)."""
    return list(
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Deliver every due message (bounded per run); returns how many were sent.

    Beat runs it every few seconds, so a message whose wake-up was lost (broker down,
    process killed between COMMIT and publish, worker killed mid-delivery) still leaves.
    """
    now = now or timezone.now()
    sent = 0
    for message_id in outbox_due(now=now, limit=limit):
        if outbox_deliver(message_id=message_id, now=now):
            sent += 1
    return sent


def outbox_resend(*, message_ids: list[int]) -> int:
    """Make failed (or stuck) messages due again now, attempts reset (admin action)."""
    return (
        OutboxMessage.objects.filter(pk__in=message_ids)
        .filter(~Q(state=OutboxState.SENT))
        .update(state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now())
    )


def outbox_backlog(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Pending and failed counts and the oldest pending message's age (readiness)."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(state=OutboxState.PENDING)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "pending": pending.count(),
        "failed": OutboxMessage.objects.filter(state=OutboxState.FAILED).count(),
        "oldest_pending_seconds": (now - oldest).total_seconds() if oldest else 0,
    }
