"""Ticket rules: priority, plans and clocks, transitions, replies, notifications."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation, StaleUpdate
from sla.models import Metric, SupportPlan, Target
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket, sp
from tickets.models import Channel, EventKind, Status
from tickets.services import (
    comment_add,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard_customer():
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    return CustomerFactory(organization=org)


def first_response(ticket):
    return ticket.clocks.get(metric=Metric.FIRST_RESPONSE)


def test_priority_is_derived_from_impact_and_urgency(standard_customer):
    ticket = make_ticket(standard_customer, impact="medium", urgency="high")
    assert (ticket.derived_priority, ticket.priority) == ("P2", "P2")


def test_standard_p2_filed_friday_afternoon_is_due_monday_morning(standard_customer):
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 6, 16, 30))
    assert first_response(ticket).due_at == sp(2026, 3, 9, 10, 30)


def test_override_needs_a_reason_and_is_recorded(standard_customer):
    with pytest.raises(ValidationError) as error:
        make_ticket(standard_customer, priority_override="P1", override_reason=" ")
    assert "override_reason" in error.value.message_dict
    ticket = make_ticket(
        standard_customer,
        at=sp(2026, 3, 6, 16, 30),
        priority_override="P1",
        override_reason="Month-end close depends on it",
    )
    assert (ticket.derived_priority, ticket.priority) == ("P2", "P1")
    assert first_response(ticket).due_at == sp(2026, 3, 9, 8, 30)
    event = ticket.events.get(kind=EventKind.PRIORITY_OVERRIDDEN)
    assert event.data == {"from": "P2", "to": "P1", "reason": "Month-end close depends on it"}
    assert event.actor == standard_customer


def test_community_tickets_have_no_clock():
    org = OrganizationFactory(tier=Tier.COMMUNITY)
    ticket = make_ticket(CustomerFactory(organization=org))
    assert ticket.clocks.count() == 0
    assert ticket.plan.code == "community"


def test_lapsed_trial_gets_community_terms_and_a_trial_in_evaluation_premium():
    at = datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC)
    lapsed = OrganizationFactory(tier=Tier.TRIAL, trial_ends_on=datetime.date(2026, 5, 1))
    evaluating = OrganizationFactory(tier=Tier.TRIAL, trial_ends_on=datetime.date(2026, 5, 31))
    assert make_ticket(CustomerFactory(organization=lapsed), at=at).clocks.count() == 0
    ticket = make_ticket(CustomerFactory(organization=evaluating), at=at)
    assert ticket.plan.code == "premium"
    assert first_response(ticket).due_at == at + datetime.timedelta(minutes=60)


def test_phone_tickets_are_refused_for_community_and_for_customers(standard_customer):
    engineer = EngineerFactory()
    community = CustomerFactory(organization=OrganizationFactory(tier=Tier.COMMUNITY))
    with pytest.raises(PolicyViolation, match="no phone"):
        make_ticket(community, channel=Channel.PHONE, created_by=engineer)
    with pytest.raises(PolicyViolation):
        make_ticket(standard_customer, channel=Channel.PHONE)
    ticket = make_ticket(standard_customer, channel=Channel.PHONE, created_by=engineer)
    assert ticket.channel == Channel.PHONE
    assert ticket.events.get(kind=EventKind.CREATED).actor == engineer


def test_bad_input_gets_field_errors():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as error:
        ticket_create(requester=customer, subject=" ", description="", impact="huge", urgency="low")
    assert {"subject", "description", "impact"} <= set(error.value.message_dict)


def test_first_public_staff_reply_meets_first_response_not_notes_or_customers(
    standard_customer,
):
    engineer = EngineerFactory()
    with time_machine.travel(sp(2026, 3, 9, 9, 0), tick=False):
        ticket = make_ticket(standard_customer)
    with time_machine.travel(sp(2026, 3, 9, 9, 10), tick=False):
        comment_add(ticket=ticket, author=engineer, body="Looking", is_public=False)
        comment_add(ticket=ticket, author=standard_customer, body="Any news?")
    assert first_response(ticket).met_at is None
    with time_machine.travel(sp(2026, 3, 9, 9, 20), tick=False):
        comment_add(ticket=ticket, author=engineer, body="We are on it.")
    clock = first_response(ticket)
    assert clock.met_at == sp(2026, 3, 9, 9, 20)
    assert clock.breached_at is None
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=EventKind.SLA_MET).count() == 1


def test_reply_after_the_deadline_is_met_late_and_stays_breached(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 9, 9, 0))  # P2: due 12:00
    with time_machine.travel(sp(2026, 3, 9, 13, 0), tick=False):
        comment_add(ticket=ticket, author=engineer, body="Sorry for the wait.")
    clock = first_response(ticket)
    assert clock.met_at == sp(2026, 3, 9, 13, 0)
    assert clock.breached_at == sp(2026, 3, 9, 12, 0)


def test_reclassification_recomputes_from_creation_and_breaches_at_once(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 9, 8, 0), impact="low", urgency="low")
    assert first_response(ticket).due_at == sp(2026, 3, 11, 14, 0)  # P4: 24 business hours
    with time_machine.travel(sp(2026, 3, 9, 12, 0), tick=False):
        ticket_change_priority(
            ticket=ticket, actor=engineer, priority="P1", reason="Production is down"
        )
    clock = first_response(ticket)
    assert clock.due_at == sp(2026, 3, 9, 9, 0)
    assert clock.breached_at == sp(2026, 3, 9, 9, 0)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert EventKind.PRIORITY_RECLASSIFIED in kinds
    assert EventKind.SLA_RECOMPUTED in kinds
    assert EventKind.SLA_BREACHED in kinds


def test_reclassification_to_a_later_deadline_rearms_and_keeps_history(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 9, 8, 0), impact="high", urgency="high")
    with time_machine.travel(sp(2026, 3, 9, 8, 30), tick=False):
        ticket_change_priority(ticket=ticket, actor=engineer, priority="P3", reason="Workaround")
    clock = first_response(ticket)
    assert clock.due_at == sp(2026, 3, 9, 16, 0)
    assert clock.generation == 2
    event = ticket.events.get(kind=EventKind.PRIORITY_RECLASSIFIED)
    assert (event.data["from"], event.data["to"], event.actor) == ("P1", "P3", engineer)


def test_priority_change_needs_a_reason(standard_customer):
    ticket = make_ticket(standard_customer)
    with pytest.raises(ValidationError):
        ticket_change_priority(ticket=ticket, actor=standard_customer, priority="P1", reason="")


def test_a_later_tier_change_affects_new_tickets_only(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 6, 16, 30))
    org = standard_customer.organization
    org.tier = Tier.PREMIUM
    org.save()
    with time_machine.travel(sp(2026, 3, 6, 16, 40), tick=False):
        ticket_change_priority(ticket=ticket, actor=engineer, priority="P1", reason="Escalated")
    # Still the Standard business-hours calendar: 30 min Friday + 30 min Monday.
    assert first_response(ticket).due_at == sp(2026, 3, 9, 8, 30)
    new = make_ticket(standard_customer, at=sp(2026, 3, 6, 16, 30))
    assert new.plan.code == "premium"


def test_resolution_clock_pauses_while_pending_customer_and_resumes_on_reply(
    standard_customer,
):
    standard = SupportPlan.objects.get(code="standard")
    Target.objects.create(
        plan=standard,
        priority="P2",
        metric=Metric.RESOLUTION,
        duration=datetime.timedelta(hours=8),
    )
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 9, 8, 0))
    resolution = ticket.clocks.get(metric=Metric.RESOLUTION)
    assert resolution.due_at == sp(2026, 3, 9, 16, 0)
    with time_machine.travel(sp(2026, 3, 9, 10, 0), tick=False):
        ticket_change_status(ticket=ticket, actor=engineer, status=Status.PENDING_CUSTOMER)
    resolution.refresh_from_db()
    assert (resolution.paused_at, resolution.due_at) == (sp(2026, 3, 9, 10, 0), None)
    # The customer answers the next morning: 8 business hours passed while paused.
    with time_machine.travel(sp(2026, 3, 10, 9, 0), tick=False):
        comment_add(ticket=ticket, author=standard_customer, body="Here are the logs.")
    resolution.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert resolution.paused_at is None
    assert resolution.paused_business_time == datetime.timedelta(hours=8)
    assert resolution.due_at == sp(2026, 3, 10, 15, 0)
    # First response is not paused by pending customer.
    assert first_response(ticket).paused_at is None


def test_only_sensible_transitions_are_allowed(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer)
    ticket_change_status(ticket=ticket, actor=engineer, status=Status.CLOSED)
    with pytest.raises(PolicyViolation):
        ticket_change_status(ticket=ticket, actor=engineer, status=Status.SOLVED)
    with pytest.raises(PolicyViolation):
        ticket_change_status(ticket=ticket, actor=standard_customer, status=Status.ON_HOLD)
    ticket = ticket_change_status(ticket=ticket, actor=standard_customer, status=Status.OPEN)
    assert ticket.status == Status.OPEN
    assert ticket.closed_at is None


def test_stale_writes_are_refused(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer)
    seen = ticket.version
    ticket_assign(ticket=ticket, actor=engineer, assignee=engineer, expected_version=seen)
    with pytest.raises(StaleUpdate):
        ticket_change_status(
            ticket=ticket, actor=engineer, status=Status.ON_HOLD, expected_version=seen
        )


def test_public_staff_reply_emails_requester_and_cc_but_notes_never(
    standard_customer, django_capture_on_commit_callbacks
):
    colleague = CustomerFactory(organization=standard_customer.organization)
    outsider = CustomerFactory()
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, cc=[colleague, outsider])
    assert list(ticket.cc.all()) == [colleague]  # other organizations cannot be CC'd
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=engineer, body="SECRET internal detail", is_public=False)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=engineer, body="Please update to 4.2.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [standard_customer.email, colleague.email]
    )
    assert all("Please update to 4.2." in m.body for m in mail.outbox)
    assert not any("SECRET" in m.body for m in mail.outbox)


def test_status_change_notifies_the_requester(
    standard_customer, django_capture_on_commit_callbacks
):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, actor=engineer, status=Status.SOLVED)
    assert [m.to for m in mail.outbox] == [[standard_customer.email]]
    assert "Solved" in mail.outbox[0].body


def test_ticket_carries_its_next_deadline_for_the_queue(standard_customer):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, at=sp(2026, 3, 9, 8, 0))  # P2: 3 h
    ticket.refresh_from_db()
    assert ticket.sla_due_at == sp(2026, 3, 9, 11, 0)
    assert ticket.sla_warn_at == sp(2026, 3, 9, 10, 15)
    with time_machine.travel(sp(2026, 3, 9, 9, 0), tick=False):
        ticket_change_priority(ticket=ticket, actor=engineer, priority="P1", reason="Outage")
    ticket.refresh_from_db()
    assert ticket.sla_due_at == sp(2026, 3, 9, 9, 0)
    with time_machine.travel(sp(2026, 3, 9, 9, 30), tick=False):
        comment_add(ticket=ticket, author=engineer, body="On it")
    ticket.refresh_from_db()
    assert (ticket.sla_due_at, ticket.sla_warn_at) == (None, None)


def test_notification_emails_are_plain_text_not_html_escaped(
    standard_customer, django_capture_on_commit_callbacks
):
    engineer = EngineerFactory()
    ticket = make_ticket(standard_customer, subject="Backup & restore <fails>")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=engineer, body="Use `--force` & retry <now>.")
    message = mail.outbox[0]
    assert "Backup & restore <fails>" in message.subject
    assert "Use `--force` & retry <now>." in message.body
    assert "&amp;" not in message.subject + message.body


def test_setting_the_product_keeps_what_others_changed_meanwhile(standard_customer):
    from tickets.models import Product
    from tickets.services import ticket_set_product

    ticket = make_ticket(standard_customer)
    stale = type(ticket).objects.get(pk=ticket.pk)  # as the admin form loaded it
    engineer = EngineerFactory()
    ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    agent = Product.objects.create(name="Backup Agent")
    ticket_set_product(ticket=stale, product=agent, component=" scheduler ")
    ticket.refresh_from_db()
    assert (ticket.product, ticket.component, ticket.assignee) == (agent, "scheduler", engineer)
    assert ticket.version == stale.version + 2  # the assignment, then this change
    assert ticket.facts.product_id == agent.pk
