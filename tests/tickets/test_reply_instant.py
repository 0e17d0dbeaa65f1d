"""When a reply happened is decided under the ticket's lock, so a reply and a breach flag
are ordered: a clock is never both met on time and breached."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from notifications.models import Notification
from sla import monitor
from sla.models import Metric
from tests.sla.monitor_helpers import Staff, premium_p1, utc
from tickets import services

pytestmark = pytest.mark.django_db

TEN = utc(2026, 3, 10, 10, 0)
DUE = TEN + datetime.timedelta(minutes=15)  # Premium P1: first response in 15 minutes


def test_a_reply_that_reaches_the_lock_after_a_breach_flag_is_met_late_not_on_time(
    monkeypatch,
):
    """The reply starts a second before the deadline; before it holds the ticket (here,
    while its attachments are checked) the deadline passes and the monitor flags the
    breach and tells the managers. The reply then counts from when it holds the lock:
    met late, consistent with the breach already told."""
    staff = Staff()
    ticket = premium_p1(staff, at=TEN)
    real_validate = services.validate_uploads
    flags = []

    with time_machine.travel(DUE - datetime.timedelta(seconds=1), tick=False) as traveller:

        def validate_slowly(uploads):
            real_validate(uploads)
            traveller.move_to(DUE + datetime.timedelta(seconds=2))
            flags.append(monitor.run_monitor())

        monkeypatch.setattr(services, "validate_uploads", validate_slowly)
        services.comment_add(ticket=ticket, author=staff.alice, body="Looking at it now.")

    assert [result.breached for result in flags] == [1]
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert clock.breached_at == DUE
    assert clock.met_at == DUE + datetime.timedelta(seconds=2)
    assert clock.met_at > clock.due_at
    ticket.refresh_from_db()
    assert ticket.first_responded_at == clock.met_at
    assert Notification.objects.filter(ticket=ticket, kind="sla_breached").exists()


def test_an_explicit_instant_is_still_honoured(monkeypatch):
    """Imports and tests pass `at=`: that instant is kept as given."""
    staff = Staff()
    ticket = premium_p1(staff, at=TEN)
    at = TEN + datetime.timedelta(minutes=5)
    with time_machine.travel(TEN + datetime.timedelta(hours=1), tick=False):
        services.comment_add(ticket=ticket, author=staff.alice, body="Earlier reply", at=at)
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert (clock.met_at, clock.breached_at) == (at, None)
