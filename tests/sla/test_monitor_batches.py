"""The monitor flags crossings in sets: a batch of many is flagged each once, fully told,
in a number of statements that does not grow with the number flagged."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from helpdesk.models import OutboxMessage, OutboxState
from helpdesk.outbox import message_id_for
from notifications.models import Notification
from sla.models import Metric, SLAClock, TicketFacts
from sla.monitor import run_monitor
from tests.sla.monitor_helpers import Staff, customer_of, utc
from tests.tickets.helpers import make_ticket
from tickets.models import Event, EventKind
from tickets.services import comment_add

pytestmark = pytest.mark.django_db

TEN = utc(2026, 3, 10, 10, 0)
BREACHED = utc(2026, 3, 10, 10, 16)  # Premium P1: first response due 10:15
AT_RISK = utc(2026, 3, 10, 10, 12)  # ... at risk from 10:11:15


@pytest.fixture
def staff() -> Staff:
    return Staff()


def premium_p1_tickets(staff: Staff, count: int) -> list:
    customer = customer_of(Tier.PREMIUM, staff)
    return [
        make_ticket(customer, at=TEN, impact="high", urgency="high", subject=f"Outage {n}")
        for n in range(count)
    ]


def test_a_batch_of_many_crossings_flags_each_once_with_its_event_alerts_and_emails(
    staff, django_capture_on_commit_callbacks
):
    tickets = premium_p1_tickets(staff, 12)
    comment_add(ticket=tickets[0], author=staff.alice, body="On it.", at=utc(2026, 3, 10, 10, 5))
    mail.outbox.clear()
    with (
        time_machine.travel(BREACHED, tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the relay delivers after COMMIT
    ):
        first = run_monitor(batch_size=5)  # three batches: 5, 5 and 1 left to flag
        second = run_monitor(batch_size=5)
    assert (first.breached, second.breached) == (11, 0)
    late = tickets[1:]
    for ticket in late:
        clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
        assert clock.breached_at == utc(2026, 3, 10, 10, 15)
        assert Event.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
        assert TicketFacts.objects.get(ticket=ticket).first_response_breached_at == (
            utc(2026, 3, 10, 10, 15)
        )
        told = Notification.objects.filter(ticket=ticket, kind="sla_breached")
        # Unassigned Premium: the manager and the account manager, once each.
        assert sorted(told.values_list("recipient__email", flat=True)) == sorted(
            [staff.mia.email, staff.adam.email]
        )
        assert set(told.values_list("key", flat=True)) == {f"clock:{clock.pk}:sla_breached"}
        for notification in told:
            (row,) = OutboxMessage.objects.filter(
                key__startswith=f"notification:{notification.pk}:"
            )
            assert row.state == OutboxState.SENT
            (email,) = [
                m for m in mail.outbox if m.extra_headers["Message-ID"] == (message_id_for(row.key))
            ]
            assert email.to == [notification.recipient.email]
            assert ticket.reference in email.subject and "SLA breached" in email.subject
            assert "breached its first response target" in email.body
    answered = tickets[0].clocks.get(metric=Metric.FIRST_RESPONSE)
    assert answered.breached_at is None and answered.met_at is not None
    assert not Event.objects.filter(ticket=tickets[0], kind=EventKind.SLA_BREACHED).exists()
    assert Notification.objects.filter(kind="sla_breached").count() == 2 * len(late)
    assert OutboxMessage.objects.filter(key__startswith="notification:").count() == 2 * len(late)
    assert len(mail.outbox) == 2 * len(late)


def test_a_batch_at_risk_flags_each_once_per_arming_and_tells_everyone(staff):
    tickets = premium_p1_tickets(staff, 6)
    with time_machine.travel(AT_RISK, tick=False):
        assert run_monitor(batch_size=4).at_risk == 6
        assert run_monitor(batch_size=4).at_risk == 0
    flagged = SLAClock.objects.filter(ticket__in=tickets, at_risk_at=AT_RISK)
    assert flagged.count() == 6
    assert Event.objects.filter(kind=EventKind.SLA_AT_RISK).count() == 6
    # Unassigned: every active engineer and manager, once per ticket.
    assert Notification.objects.filter(kind="sla_at_risk").count() == 6 * len(staff.everyone)


def monitor_queries(staff: Staff, crossings: int, *, at) -> tuple[int, int]:
    premium_p1_tickets(staff, crossings)
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
        result = run_monitor(batch_size=100)
    return result.breached + result.at_risk, len(captured)


@pytest.mark.parametrize("at", [BREACHED, AT_RISK], ids=["breached", "at_risk"])
def test_the_runs_queries_do_not_grow_with_the_number_flagged(staff, at):
    run_monitor(now=TEN)  # the heartbeat row exists from here on, as in every later run
    flagged_few, queries_few = monitor_queries(staff, 2, at=at)
    SLAClock.objects.update(due_at=None, warn_at=None)  # out of the next run's way
    # 20 at risk tell 4 people each: 80 e-mails, one INSERT still within SQLite's 999
    # parameters per statement (beyond them Django splits a bulk insert, PostgreSQL never).
    flagged_many, queries_many = monitor_queries(staff, 20, at=at)
    assert (flagged_few, flagged_many) == (2, 20)
    assert queries_many == queries_few


def test_an_alert_whose_notification_was_deleted_before_delivery_sends_nothing(
    staff, django_capture_on_commit_callbacks
):
    premium_p1_tickets(staff, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert run_monitor(now=BREACHED).breached == 1
    rows = OutboxMessage.objects.filter(key__startswith="notification:")
    assert rows.count() == 2 and not mail.outbox  # written with the flag, not yet sent
    Notification.objects.filter(recipient=staff.mia).delete()
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[staff.adam.email]]
    assert set(rows.values_list("state", flat=True)) == {OutboxState.SENT}
