"""Who hears about an SLA crossing: exactly the right staff, once each, in-app and by e-mail."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from accounts.models import Tier
from helpdesk.models import OutboxMessage, OutboxState
from notifications.models import Notification
from sla.alerts import _account_manager_alerted
from sla.models import SLAClock
from tests.sla.monitor_helpers import Staff, customer_of, premium_p1, run_at, utc
from tests.tickets.helpers import make_ticket
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db

TEN = utc(2026, 3, 10, 10, 0)
AT_RISK = utc(2026, 3, 10, 10, 12)
BREACHED = utc(2026, 3, 10, 10, 16)


@pytest.fixture
def staff() -> Staff:
    return Staff()


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_at_risk_unassigned_tells_every_active_engineer_and_manager(staff):
    ticket = premium_p1(staff, at=TEN)
    run_at(AT_RISK)
    assert told("sla_at_risk") == sorted(staff.everyone)
    assert ticket.requester.email not in told("sla_at_risk")


def test_at_risk_assigned_tells_the_assignee_only(staff):
    ticket = premium_p1(staff, at=TEN)
    ticket_assign(ticket=ticket, actor=staff.mia, assignee=staff.bob)
    run_at(AT_RISK)
    assert told("sla_at_risk") == [staff.bob.email]


def test_breach_of_a_premium_ticket_tells_assignee_managers_and_account_manager(staff):
    ticket = premium_p1(staff, at=TEN)
    ticket_assign(ticket=ticket, actor=staff.mia, assignee=staff.bob)
    run_at(BREACHED)
    assert told("sla_breached") == sorted([staff.bob.email, staff.mia.email, staff.adam.email])


def test_breach_of_a_standard_ticket_does_not_tell_the_account_manager(staff):
    customer = customer_of(Tier.STANDARD, staff, time_zone="UTC")
    ticket = make_ticket(customer, at=TEN, impact="high", urgency="high")  # 1 business hour
    ticket_assign(ticket=ticket, actor=staff.mia, assignee=staff.alice)
    run_at(utc(2026, 3, 10, 11, 1))
    assert told("sla_breached") == sorted([staff.alice.email, staff.mia.email])


def test_breach_of_a_trial_in_evaluation_tells_the_account_manager(staff):
    customer = customer_of(Tier.TRIAL, staff, trial_ends_on=utc(2026, 3, 31).date())
    ticket = make_ticket(customer, at=TEN, impact="high", urgency="high")
    assert ticket.sla_terms["in_trial"] is True
    run_at(BREACHED)
    assert told("sla_breached") == sorted([staff.mia.email, staff.adam.email])


def test_a_person_in_several_roles_is_told_once(staff):
    ticket = premium_p1(staff, at=TEN)
    ticket.organization.account_manager = staff.mia
    ticket.organization.save()
    ticket_assign(ticket=ticket, actor=staff.mia, assignee=staff.mia)
    run_at(BREACHED)
    assert told("sla_breached") == [staff.mia.email]


def test_customers_never_get_sla_notifications_even_as_account_manager(staff):
    ticket = premium_p1(staff, at=TEN)
    # A misconfigured organization whose "account manager" is a customer.
    ticket.organization.account_manager = ticket.requester
    ticket.organization.save()
    run_at(BREACHED)
    assert ticket.requester.email not in told("sla_breached")
    assert ticket.requester.email not in told("sla_at_risk")


def test_one_email_per_recipient_each_through_the_outbox(staff, django_capture_on_commit_callbacks):
    ticket = premium_p1(staff, at=TEN)
    ticket_assign(ticket=ticket, actor=staff.mia, assignee=staff.bob)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_at(BREACHED)
    rows = OutboxMessage.objects.filter(key__startswith="notification:")
    recipients = sorted(row.payload["to"][0] for row in rows)
    assert recipients == sorted([staff.bob.email, staff.mia.email, staff.adam.email])
    assert {row.state for row in rows} == {OutboxState.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == recipients
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    assert ticket.reference in message.subject and "SLA breached" in message.subject
    assert f"/tickets/{ticket.pk}/" in message.body
    assert "breached its first response target" in message.body
    assert message.extra_headers["Message-ID"].endswith("@helpdesk.localhost>")  # our domain


def test_the_emails_are_written_with_the_flag_and_sent_only_after_it_commits(
    staff, django_capture_on_commit_callbacks
):
    premium_p1(staff, at=TEN)
    mail.outbox.clear()
    alerts = OutboxMessage.objects.filter(key__startswith="notification:")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_at(BREACHED)
    # Written in the flag's transaction (manager and account manager), not sent yet.
    assert alerts.filter(state=OutboxState.PENDING).count() == 2
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2
    assert not alerts.filter(state=OutboxState.PENDING).exists()


def test_a_failing_address_delays_nothing_else_and_never_undoes_the_flag(
    staff, django_capture_on_commit_callbacks
):
    ticket = premium_p1(staff, at=TEN)
    real_send = EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if staff.mia.email in message.to:
            raise smtplib.SMTPRecipientsRefused({staff.mia.email: (550, b"no such user")})
        return real_send(message, *args, **kwargs)

    mail.outbox.clear()
    with (
        mock.patch.object(EmailMultiAlternatives, "send", send),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run_at(BREACHED)
    assert result.breached == 1
    assert SLAClock.objects.get(ticket=ticket).breached_at is not None
    assert [m.to for m in mail.outbox] == [[staff.adam.email]]
    assert told("sla_breached") == sorted([staff.mia.email, staff.adam.email])
    failed = OutboxMessage.objects.get(payload__to=[staff.mia.email])
    assert failed.state == OutboxState.PENDING and failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.last_error  # retried later, on its own


def test_premium_account_manager_is_told_whatever_the_plan_is_called(db):
    from types import SimpleNamespace

    premium = SimpleNamespace(tier="premium", sla_terms={"plan_code": "gold", "in_trial": False})
    standard = SimpleNamespace(tier="standard", sla_terms={"plan_code": "premium"})
    assert _account_manager_alerted(premium) is True
    assert _account_manager_alerted(standard) is False
