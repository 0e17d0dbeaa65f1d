"""The outbox: written with the change, delivered once, retried, failed loudly, re-sent."""

from __future__ import annotations

import datetime
import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from helpdesk import outbox
from helpdesk.celery import beat_schedule
from helpdesk.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db

PAYLOAD = {"to": ["ana@acme.example"], "subject": "Hello", "body": "Text", "headers": {}}


def enqueue(key: str = "test:1") -> OutboxMessage:
    return outbox.outbox_enqueue(key=key, payload=PAYLOAD)


def test_the_same_key_twice_is_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue()
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_nothing_is_sent_before_commit_and_everything_after(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue()
    assert mail.outbox == [] and message.state == OutboxState.PENDING
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["ana@acme.example"]]


def test_a_message_is_delivered_once_however_often_it_is_asked_for():
    message = enqueue()
    assert outbox.outbox_deliver(message_id=message.pk) is True
    assert outbox.outbox_deliver(message_id=message.pk) is False
    assert outbox.outbox_sweep() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox.message_id_for("test:1")


def test_a_claimed_message_waits_for_its_lease_then_the_sweep_sends_it(settings):
    """A relay that claimed a message and died: nobody else sends it during the lease;
    after it, the sweep does."""
    settings.OUTBOX_LEASE_SECONDS = 30
    message = enqueue()
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=now + datetime.timedelta(seconds=30), attempts=1
    )  # what outbox_deliver's claim does, by a relay killed before it sent
    assert claimed == 1
    assert outbox.outbox_sweep(now=now + datetime.timedelta(seconds=29)) == 0
    assert outbox.outbox_sweep(now=now + datetime.timedelta(seconds=31)) == 1
    assert len(mail.outbox) == 1


def test_a_failure_retries_with_backoff(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    message = enqueue()
    refused = smtplib.SMTPServerDisconnected("451 try later")
    with mock.patch.object(EmailMultiAlternatives, "send", side_effect=refused):
        start = timezone.now()
        assert outbox.outbox_deliver(message_id=message.pk, now=start) is False
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING and message.attempts == 1
    assert "451 try later" in message.last_error
    assert message.next_attempt_at >= start + datetime.timedelta(seconds=9)
    assert outbox.outbox_sweep(now=start) == 0  # not due yet
    assert outbox.outbox_sweep(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.last_error == ""


def test_backoff_doubles_up_to_its_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 10, 600
    seconds = [outbox._backoff(attempt).total_seconds() for attempt in range(1, 9)]
    assert seconds == [10, 20, 40, 80, 160, 320, 600, 600]


def test_after_the_limit_a_message_fails_loudly_and_an_admin_can_send_it_again(
    settings, caplog, admin_client
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue()
    with (
        mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("refused")),
        caplog.at_level(logging.ERROR, logger="helpdesk.outbox"),
    ):
        outbox.outbox_deliver(message_id=message.pk)
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox.outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxState.FAILED and message.attempts == 2
    assert "gave up" in caplog.text and "test:1" in caplog.text
    assert outbox.outbox_sweep() == 0  # a failed message is left for a person

    listing = admin_client.get("/admin/helpdesk/outboxmessage/?state__exact=failed")
    assert listing.status_code == 200
    assert "ana@acme.example" in listing.content.decode()
    response = admin_client.post(
        "/admin/helpdesk/outboxmessage/",
        {"action": "resend", "_selected_action": [message.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 message will be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING and message.attempts == 0
    assert outbox.outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["ana@acme.example"]]


def test_a_broker_that_is_down_never_fails_the_write(settings, caplog):
    """The wake-up after COMMIT fails (no broker): logged, the write stands, the sweep
    delivers."""
    message = enqueue()
    eager = outbox.celery_app.conf.task_always_eager
    outbox.celery_app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(outbox.celery_app, "send_task", side_effect=OSError("refused")),
            caplog.at_level(logging.WARNING, logger="helpdesk.outbox"),
        ):
            outbox.wake_relay(message_id=message.pk)
    finally:
        outbox.celery_app.conf.task_always_eager = eager
    assert "could not wake the relay" in caplog.text
    assert outbox.outbox_sweep() == 1


def test_beat_sweeps_the_outbox_every_few_seconds(settings):
    settings.OUTBOX_SWEEP_SECONDS = 5
    entry = beat_schedule()["outbox-sweep"]
    assert entry["task"] == "helpdesk.tasks.sweep_outbox"
    assert entry["schedule"] == datetime.timedelta(seconds=5)


def test_backlog_reports_pending_failed_and_the_oldest_age():
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=90)
    )
    OutboxMessage.objects.create(key="x", payload=PAYLOAD, state=OutboxState.FAILED)
    backlog = outbox.outbox_backlog()
    assert backlog["pending"] == 1 and backlog["failed"] == 1
    assert 89 <= backlog["oldest_pending_seconds"] < 120
