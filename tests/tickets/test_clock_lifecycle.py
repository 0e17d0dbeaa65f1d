"""Clocks across a ticket's life: solved/closed, reopened, re-classified without a target."""

import datetime

import pytest
import time_machine

from accounts.models import Tier
from sla.models import Metric, SupportPlan, Target
from sla.monitor import run_monitor
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket, sp
from tickets.models import EventKind, Status
from tickets.services import comment_add, ticket_change_priority, ticket_change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    return CustomerFactory(organization=org)


def first_response(ticket):
    return ticket.clocks.get(metric=Metric.FIRST_RESPONSE)


def test_a_ticket_closed_before_any_reply_is_never_breached_and_resumes_if_reopened(customer):
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0))  # P2: due 11:00
    with time_machine.travel(sp(2026, 3, 9, 9, 0), tick=False):
        ticket_change_status(ticket=ticket, actor=customer, status=Status.CLOSED)
    ticket.refresh_from_db()
    assert (ticket.sla_due_at, first_response(ticket).due_at) == (None, None)
    run_monitor(now=sp(2026, 3, 9, 12, 0))
    assert first_response(ticket).breached_at is None
    # Reopened at 13:00: the 4 business hours it was closed do not count.
    with time_machine.travel(sp(2026, 3, 9, 13, 0), tick=False):
        ticket_change_status(ticket=ticket, actor=customer, status=Status.OPEN)
    assert first_response(ticket).due_at == sp(2026, 3, 9, 15, 0)
    assert ticket.events.filter(kind=EventKind.SLA_PAUSED).exists()


def test_a_customer_reply_reopens_a_closed_ticket(customer):
    ticket = make_ticket(customer)
    ticket_change_status(ticket=ticket, actor=customer, status=Status.CLOSED)
    comment_add(ticket=ticket, author=customer, body="It happened again.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reclassifying_to_a_priority_without_target_stops_the_old_deadline(customer):
    standard = SupportPlan.objects.get(code="standard")
    Target.objects.create(
        plan=standard, priority="P1", metric=Metric.RESOLUTION, duration=datetime.timedelta(hours=4)
    )
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0), impact="high", urgency="high")
    resolution = ticket.clocks.get(metric=Metric.RESOLUTION)
    assert resolution.due_at == sp(2026, 3, 9, 12, 0)
    with time_machine.travel(sp(2026, 3, 9, 8, 30), tick=False):
        ticket_change_priority(
            ticket=ticket, actor=EngineerFactory(), priority="P4", reason="Question only"
        )
    resolution.refresh_from_db()
    assert (resolution.due_at, resolution.warn_at) == (None, None)
    run_monitor(now=sp(2026, 3, 9, 13, 0))
    resolution.refresh_from_db()
    assert resolution.breached_at is None


def test_a_resolution_clock_created_while_pending_customer_starts_paused(customer):
    standard = SupportPlan.objects.get(code="standard")
    Target.objects.create(
        plan=standard, priority="P1", metric=Metric.RESOLUTION, duration=datetime.timedelta(hours=4)
    )
    engineer = EngineerFactory()
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0), impact="low", urgency="low")  # P4
    assert not ticket.clocks.filter(metric=Metric.RESOLUTION).exists()
    with time_machine.travel(sp(2026, 3, 9, 8, 10), tick=False):
        ticket_change_status(ticket=ticket, actor=engineer, status=Status.PENDING_CUSTOMER)
        ticket_change_priority(ticket=ticket, actor=engineer, priority="P1", reason="Outage")
    resolution = ticket.clocks.get(metric=Metric.RESOLUTION)
    assert resolution.paused_at is not None
    assert resolution.due_at is None


def test_community_tickets_take_no_cc_even_through_the_service():
    org = OrganizationFactory(tier=Tier.COMMUNITY)
    first, second = CustomerFactory(organization=org), CustomerFactory(organization=org)
    ticket = make_ticket(first, cc=[second])
    assert ticket.cc.count() == 0
