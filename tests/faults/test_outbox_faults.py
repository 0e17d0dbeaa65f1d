"""Faults injected against the real parts: nothing lost, nothing doubled.

Each test starts its own Redis (stopped at will; the machine's own is never touched),
an SMTP server on loopback, a Celery worker and beat, and where it needs HTTP,
gunicorn, all against the suite's PostgreSQL database.
"""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from accounts.models import Tier
from helpdesk.models import OutboxMessage, OutboxState
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.faults.stack import (
    ROOT,
    Browser,
    PrivateRedis,
    SMTPSink,
    Stack,
    real_password,
    running,
    wait_for,
)
from tests.tickets.helpers import make_ticket
from tickets.models import Comment, Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "fault-test-password-1"


@pytest.fixture
def people(seeded):
    organization = OrganizationFactory(tier=Tier.STANDARD)
    customer = CustomerFactory(organization=organization, email="ana@acme.example")
    engineer = EngineerFactory(email="eduardo@helpdesk.example")
    for user in (customer, engineer):
        real_password(user, PASSWORD)
    return customer, engineer


def delivered(sink: SMTPSink) -> Counter[str]:
    return Counter(str(message["message_id"]) for message in sink.accepted)


def test_redis_down_while_a_customer_files_and_an_engineer_replies(tmp_path, people):
    """Every write answers success exactly once while the broker is down, and every
    e-mail arrives after it returns, none twice."""
    customer, engineer = people
    redis = PrivateRedis(tmp_path)
    redis.start()
    with SMTPSink() as sink:
        stack = Stack(tmp_path, broker_url=redis.url, smtp_url=sink.url)
        with running(stack):
            stack.worker()
            stack.beat()
            stack.web()
            redis.stop()  # the broker goes away; web, worker and beat stay up

            ana = Browser(f"http://127.0.0.1:{stack.web_port}")
            ana.log_in(customer.email, PASSWORD)
            assert ana.request("GET", "/tickets/new/") == 200
            filed = ana.request(
                "POST",
                "/tickets/new/",
                {
                    "subject": "Backups fail every night",
                    "description": "No successful backup for 48 hours.",
                    "impact": "medium",
                    "urgency": "high",
                },
            )
            assert filed == 302
            ticket = Ticket.objects.get()
            eduardo = Browser(f"http://127.0.0.1:{stack.web_port}")
            eduardo.log_in(engineer.email, PASSWORD)
            assert eduardo.request("GET", f"/tickets/{ticket.pk}/") == 200
            replied = eduardo.request(
                "POST",
                f"/tickets/{ticket.pk}/reply/",
                {"body": "Please update to 4.2.", "is_public": "1"},
            )
            assert replied == 302
            solved = eduardo.request(
                "POST",
                f"/tickets/{ticket.pk}/status/",
                {"status": "solved", "version": str(Ticket.objects.get().version)},
            )
            assert solved == 302
            assert Ticket.objects.count() == 1 and Comment.objects.count() == 1
            pending = OutboxMessage.objects.filter(state=OutboxState.PENDING)
            assert pending.count() == 3  # the receipt, the reply and the status change, to Ana
            time.sleep(3)
            assert sink.accepted == []  # nothing can leave while the broker is down

            redis.start()
            wait_for(lambda: len(sink.accepted) >= 3, timeout=90, what="the e-mails")
            time.sleep(4)  # a few more sweeps: nothing is sent twice
            counts = delivered(sink)
            assert len(sink.accepted) == 3 and set(counts.values()) == {1}
            assert all(message["to"] == [customer.email] for message in sink.accepted)
            assert not OutboxMessage.objects.exclude(state=OutboxState.SENT).exists()
    redis.stop()


def test_a_worker_killed_during_delivery_is_made_good_within_a_minute(tmp_path, people):
    customer, engineer = people
    redis = PrivateRedis(tmp_path)
    redis.start()
    with SMTPSink() as sink:
        sink.hold = 30.0  # a slow mail server: the worker is mid-delivery for a while
        stack = Stack(tmp_path, broker_url=redis.url, smtp_url=sink.url)
        with running(stack):
            stack.beat()
            stack.worker("first-worker")
            OutboxMessage.objects.create(
                key="fault:kill",
                payload={"to": [customer.email], "subject": "Hi", "body": "Hi", "headers": {}},
            )
            wait_for(sink.receiving.is_set, timeout=30, what="the delivery to start")
            stack.kill("first-worker")  # SIGKILL, mid-delivery
            sink.hold = 0.0
            message = OutboxMessage.objects.get()
            assert message.state == OutboxState.PENDING and message.attempts == 1
            stack.worker("second-worker")
            started = time.monotonic()
            wait_for(lambda: len(sink.accepted) == 1, timeout=60, what="the e-mail")
            assert time.monotonic() - started < 60
            time.sleep(2)
            assert len(sink.accepted) == 1
            message.refresh_from_db()
            assert message.state == OutboxState.SENT and message.attempts == 2
    redis.stop()


KILL_AFTER_COMMIT = """
import os, signal
import django
django.setup()
from django.db import transaction
from accounts.models import User
from tickets.models import Ticket
from tickets.services import comment_add

ticket = Ticket.objects.get(pk={ticket})
with transaction.atomic():
    # Runs first of the commit hooks: the process dies right after COMMIT, before the
    # relay is woken.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    comment_add(ticket=ticket, author=User.objects.get(pk={author}), body="Fixed in 4.2.")
"""


def test_a_process_killed_right_after_commit_still_sends_through_the_sweep(tmp_path, people):
    customer, engineer = people
    ticket = make_ticket(customer, at=datetime.datetime.now(datetime.UTC))
    OutboxMessage.objects.all().delete()  # the ticket's receipt: not this test's subject
    redis = PrivateRedis(tmp_path)
    redis.start()
    with SMTPSink() as sink:
        stack = Stack(tmp_path, broker_url=redis.url, smtp_url=sink.url)
        with running(stack):
            code = KILL_AFTER_COMMIT.format(ticket=ticket.pk, author=engineer.pk)
            result = subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env={**stack.env, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"},
                capture_output=True,
                timeout=60,
            )
            assert result.returncode == -signal.SIGKILL, result.stderr.decode()
            assert Comment.objects.filter(body="Fixed in 4.2.").exists()  # committed
            assert OutboxMessage.objects.get().state == OutboxState.PENDING  # never woken
            stack.worker()
            stack.beat()
            wait_for(lambda: len(sink.accepted) == 1, timeout=60, what="the swept e-mail")
            assert sink.accepted[0]["to"] == [customer.email]
    redis.stop()
