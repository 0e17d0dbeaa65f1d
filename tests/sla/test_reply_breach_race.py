"""Replies made around the first-response deadline while monitors run (PostgreSQL, real
threads, the real clock): a clock is never both met on time and breached, and nobody is
told of a breach for a clock met on time.

Before the reply's instant was taken under the ticket's lock, this failed on every run
(3 to 5 of 120 clocks both met on time and breached): a reply read the time, checked its
attachments (20 ms here, as a few megabytes take), and a monitor whose run started after
the deadline locked the ticket and flagged it in between.
"""

from __future__ import annotations

import datetime
import random
import threading
import time

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from notifications.models import Notification
from sla import monitor
from sla.models import Metric, SLAClock
from tests.sla.monitor_helpers import Staff, premium_p1, utc
from tickets import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TICKETS = 120
CHECK_UPLOADS = 0.020  # seconds: a reply's attachments being checked, before it locks


def _worker(work, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_replies_racing_monitors_at_the_deadline_are_never_met_on_time_and_breached(
    seeded, monkeypatch
):
    staff = Staff()
    tickets = [premium_p1(staff, at=utc(2026, 3, 10, 10, 0)) for _ in range(TICKETS)]
    later = timezone.now() + datetime.timedelta(days=1)
    SLAClock.objects.filter(ticket__in=tickets).update(due_at=later, warn_at=None)

    real_validate = services.validate_uploads

    def validate_like_a_real_upload(uploads):
        real_validate(uploads)
        time.sleep(CHECK_UPLOADS)

    monkeypatch.setattr(services, "validate_uploads", validate_like_a_real_upload)

    replies_done = threading.Event()
    errors: list[BaseException] = []

    def replier(share, seed):
        rng = random.Random(seed)

        def work() -> None:
            for ticket in share:
                # The deadline falls a few milliseconds either side of the reply's start.
                due = timezone.now() + datetime.timedelta(milliseconds=rng.uniform(-5, 45))
                SLAClock.objects.filter(ticket=ticket, metric=Metric.FIRST_RESPONSE).update(
                    due_at=due
                )
                services.comment_add(ticket=ticket, author=staff.alice, body="On it.")

        return work

    def monitoring() -> None:
        while not replies_done.is_set():
            monitor.run_monitor()

    repliers = [_worker(replier(tickets[i::3], seed=i), errors) for i in range(3)]
    monitors = [_worker(monitoring, errors) for _ in range(2)]
    began = time.monotonic()
    for thread in repliers + monitors:
        thread.start()
    for thread in repliers:
        thread.join(30)
    replies_done.set()
    for thread in monitors:
        thread.join(30)
    assert not errors, errors
    assert time.monotonic() - began < 20

    first = SLAClock.objects.filter(ticket__in=tickets, metric=Metric.FIRST_RESPONSE)
    assert first.filter(met_at__isnull=True).count() == 0
    met_on_time = first.filter(met_at__lte=F("due_at"))
    assert list(met_on_time.filter(breached_at__isnull=False).values_list("pk", flat=True)) == []
    told = Notification.objects.filter(kind="sla_breached", ticket__in=met_on_time.values("ticket"))
    assert list(told.values_list("ticket_id", flat=True)) == []
    # Both outcomes happened, so the race was really run on both sides of the deadline.
    assert met_on_time.exists()
    assert first.filter(breached_at__isnull=False).exists()
