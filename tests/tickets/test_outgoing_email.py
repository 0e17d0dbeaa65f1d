"""Outgoing ticket e-mail: threaded under the ticket, a reply address per recipient, the
reference in the subject, a text and an escaped HTML part, links from SITE_URL, times
that name their zone, in the recipient's language."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Tier
from helpdesk.models import OutboxMessage, OutboxState
from helpdesk.outbox import message_id_for, outbox_deliver, outbox_resend
from sla.trials import trials_remind
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.sla.monitor_helpers import Staff, premium_p1, run_at, utc
from tests.tickets.helpers import make_ticket, sp
from tickets import mail_threading
from tickets.models import Channel, Status
from tickets.services import comment_add, ticket_change_status

pytestmark = pytest.mark.django_db

DOMAIN = "helpdesk.example"


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.INBOUND_EMAIL_ADDRESS = f"support@{DOMAIN}"
    settings.SITE_URL = "https://help.acme.example/"


@pytest.fixture
def customer():
    organization = OrganizationFactory(
        tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR"
    )
    return CustomerFactory(organization=organization, language="en")


def html_of(message: EmailMultiAlternatives) -> str:
    htmls = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(htmls) == 1, "one HTML alternative"
    return str(htmls[0])


def sent_to(user) -> list[EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.to == [user.email]]


def reply(ticket, body="Please update to 4.2.", *, capture):
    engineer = EngineerFactory()
    mail.outbox.clear()
    with capture(execute=True):
        comment_add(ticket=ticket, author=engineer, body=body)
    return mail.outbox


# --- headers ---------------------------------------------------------------------------------


def test_a_reply_email_is_threaded_under_the_ticket_and_routes_answers_back(
    customer, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer)
    [message] = reply(ticket, capture=django_capture_on_commit_callbacks)
    headers = message.extra_headers
    root = f"<ticket-{ticket.pk}@{DOMAIN}>"
    assert headers["In-Reply-To"] == headers["References"] == root
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Helpdesk-Ticket"] == str(ticket.pk)
    target = mail_threading.parse_reply_address(headers["Reply-To"])
    assert target == mail_threading.ReplyTarget(ticket_id=ticket.pk, user_id=customer.pk)
    row = OutboxMessage.objects.get(payload__to=[customer.email], key__startswith="comment:")
    assert headers["Message-ID"] == message_id_for(row.key)
    assert headers["Message-ID"].endswith(f"@{DOMAIN}>")  # our domain, like the thread root


def test_each_recipient_gets_a_reply_address_of_their_own(
    customer, django_capture_on_commit_callbacks
):
    colleague = CustomerFactory(organization=customer.organization)
    ticket = make_ticket(customer, cc=[colleague])
    messages = reply(ticket, capture=django_capture_on_commit_callbacks)
    targets = {
        m.to[0]: mail_threading.parse_reply_address(m.extra_headers["Reply-To"]) for m in messages
    }
    assert targets == {
        customer.email: mail_threading.ReplyTarget(ticket.pk, customer.pk),
        colleague.email: mail_threading.ReplyTarget(ticket.pk, colleague.pk),
    }


def test_the_message_id_is_the_same_when_a_failed_message_is_sent_again(
    customer, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer)
    engineer = EngineerFactory()
    mail.outbox.clear()
    with (
        mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        comment_add(ticket=ticket, author=engineer, body="First try")
    assert mail.outbox == []
    row = OutboxMessage.objects.get(key__startswith="comment:")
    outbox_resend(message_ids=[row.pk])
    assert outbox_deliver(message_id=row.pk)
    first = mail.outbox[-1].extra_headers["Message-ID"]
    # A relay that died after the server accepted it delivers the row once more.
    OutboxMessage.objects.filter(pk=row.pk).update(
        state=OutboxState.PENDING, next_attempt_at=timezone.now()
    )
    assert outbox_deliver(message_id=row.pk)
    assert mail.outbox[-1].extra_headers["Message-ID"] == first == message_id_for(row.key)


# --- parts, escaping, links ------------------------------------------------------------------


def test_a_reply_email_has_a_text_part_and_an_escaped_html_part(
    customer, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer, subject="Login <script>alert(1)</script> & more")
    [message] = reply(
        ticket,
        "Run **this**: <script>steal()</script> & retry.",
        capture=django_capture_on_commit_callbacks,
    )
    assert "Run **this**: <script>steal()</script> & retry." in message.body  # plain text
    html = html_of(message)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html  # the subject, escaped
    assert "<strong>this</strong>" in html  # the comment as its sanitized HTML
    assert "steal()" not in html or "&lt;script&gt;steal()" in html


def test_links_in_every_part_point_at_site_url(customer, django_capture_on_commit_callbacks):
    ticket = make_ticket(customer)
    [message] = reply(ticket, capture=django_capture_on_commit_callbacks)
    link = f"https://help.acme.example/tickets/{ticket.pk}/"
    assert link in message.body
    assert f'href="{link}"' in html_of(message)
    assert "127.0.0.1" not in message.body + html_of(message)


def test_every_ticket_email_carries_the_reference_in_its_subject(
    customer, django_capture_on_commit_callbacks
):
    engineer = EngineerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=engineer, body="On it")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, actor=engineer, status=Status.SOLVED)
    assert len(mail.outbox) == 3  # receipt, reply, status
    for message in mail.outbox:
        assert mail_threading.subject_reference(message.subject) == ticket.pk, message.subject
        assert "In-Reply-To" in message.extra_headers
        html_of(message)


# --- the receipt -----------------------------------------------------------------------------


def test_a_web_ticket_gets_a_receipt_with_reference_priority_and_due_time_named_in_its_zone(
    customer, django_capture_on_commit_callbacks
):
    customer.time_zone = "Europe/Lisbon"  # the customer's own zone, not the organization's
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0))  # Standard P2: 3 h
    [message] = sent_to(customer)
    assert message.subject.startswith(f"[#{ticket.pk}]")
    assert "P2" in message.body
    # Due 11:00 in São Paulo is 14:00 in Lisbon, and the e-mail says which zone it means.
    assert "Mon 9 Mar 2026, 14:00 (Lisbon time)" in message.body
    assert "Mon 9 Mar 2026, 14:00 (Lisbon time)" in html_of(message)
    assert "https://help.acme.example/tickets/" in message.body
    row = OutboxMessage.objects.get(payload__to=[customer.email])
    assert row.key == f"ticket:{ticket.pk}:receipt:to:{customer.pk}"
    headers = message.extra_headers
    assert headers["In-Reply-To"] == f"<ticket-{ticket.pk}@{DOMAIN}>"
    assert mail_threading.parse_reply_address(headers["Reply-To"]) == (
        mail_threading.ReplyTarget(ticket.pk, customer.pk)
    )


def test_the_receipt_names_the_zone_even_when_it_is_the_recipients_own(
    customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(customer, at=sp(2026, 3, 9, 8, 0))
    [message] = sent_to(customer)
    assert "Mon 9 Mar 2026, 11:00 (São Paulo time)" in message.body


def test_a_phone_ticket_logged_by_an_engineer_gets_a_receipt_to_the_customer(
    customer, django_capture_on_commit_callbacks
):
    engineer = EngineerFactory()
    colleague = CustomerFactory(organization=customer.organization)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer, channel=Channel.PHONE, created_by=engineer, cc=[colleague])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, colleague.email])
    assert all(f"[#{ticket.pk}]" in m.subject for m in mail.outbox)


def test_an_api_ticket_gets_a_receipt(django_capture_on_commit_callbacks):
    customer = CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))
    api = APIClient()
    api.force_authenticate(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/tickets/",
            {"subject": "Restore fails", "description": "x", "impact": "high", "urgency": "high"},
            format="json",
        )
    assert response.status_code == 201
    [message] = mail.outbox
    assert message.to == [customer.email]
    assert f"[#{response.json()['id']}]" in message.subject
    assert "P1" in message.body


def test_a_community_receipt_says_best_effort_plainly(django_capture_on_commit_callbacks):
    customer = CustomerFactory(organization=OrganizationFactory(tier=Tier.COMMUNITY))
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(customer)
    [message] = mail.outbox
    assert "Best effort" in message.body
    assert "due" not in message.body.lower()
    assert "Best effort" in html_of(message)


def test_a_portuguese_customer_gets_the_receipt_in_portuguese(
    customer, django_capture_on_commit_callbacks
):
    customer.language = "pt-br"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0))
    [message] = mail.outbox
    assert f"[#{ticket.pk}]" in message.subject
    assert "Recebemos" in message.subject + message.body
    assert "(horário de São Paulo)" in message.body
    assert "seg 9 mar 2026" in message.body.lower()


# --- engineers who want to hear of new tickets -----------------------------------------------


def test_engineers_are_told_of_new_tickets_as_they_chose(
    customer, django_capture_on_commit_callbacks
):
    everything = EngineerFactory(new_ticket_emails="all")
    account_manager = EngineerFactory(new_ticket_emails="mine")
    other_account_manager = EngineerFactory(new_ticket_emails="mine")
    OrganizationFactory(account_manager=other_account_manager)
    EngineerFactory(new_ticket_emails="none")
    EngineerFactory(new_ticket_emails="all", is_active=False)
    CustomerFactory(organization=customer.organization, new_ticket_emails="all")
    customer.organization.account_manager = account_manager
    customer.organization.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer)
    told = sorted(m.to[0] for m in mail.outbox if m.to != [customer.email])
    assert told == sorted([everything.email, account_manager.email])
    message = sent_to(everything)[0]
    assert f"[#{ticket.pk}]" in message.subject and "New ticket" in message.subject
    assert f"https://help.acme.example/tickets/{ticket.pk}/" in message.body
    assert OutboxMessage.objects.filter(key=f"ticket:{ticket.pk}:new:to:{everything.pk}").exists()
    assert mail_threading.parse_reply_address(message.extra_headers["Reply-To"]) == (
        mail_threading.ReplyTarget(ticket.pk, everything.pk)
    )


def test_the_engineer_who_logs_a_phone_ticket_is_not_told_of_it(
    customer, django_capture_on_commit_callbacks
):
    engineer = EngineerFactory(new_ticket_emails="all")
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(customer, channel=Channel.PHONE, created_by=engineer)
    assert sent_to(engineer) == []


def test_engineers_choose_on_their_profile_and_customers_do_not_see_the_choice(client, customer):
    engineer = EngineerFactory()
    client.force_login(engineer)
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="new_ticket_emails"' in page
    response = client.post(
        "/accounts/profile/",
        {"first_name": "Eve", "language": "en", "time_zone": "", "new_ticket_emails": "mine"},
    )
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.new_ticket_emails == "mine"
    client.force_login(customer)
    assert 'name="new_ticket_emails"' not in client.get("/accounts/profile/").content.decode()
    client.post(
        "/accounts/profile/",
        {"first_name": "Cy", "language": "en", "time_zone": "", "new_ticket_emails": "all"},
    )
    customer.refresh_from_db()
    assert customer.new_ticket_emails == "none"


# --- internal notes, SLA alerts --------------------------------------------------------------


def test_an_internal_note_sends_no_email_at_all(customer, django_capture_on_commit_callbacks):
    ticket = make_ticket(customer)
    mail.outbox.clear()
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=EngineerFactory(), body="Internal", is_public=False)
    assert mail.outbox == [] and OutboxMessage.objects.count() == before


def test_an_sla_alert_is_threaded_names_its_zone_and_speaks_the_recipients_language(
    django_capture_on_commit_callbacks,
):
    staff = Staff()
    staff.alice.language = "pt-br"
    staff.alice.time_zone = "America/Sao_Paulo"
    staff.alice.save()
    staff.bob.time_zone = "Europe/Lisbon"
    staff.bob.save()
    ticket = premium_p1(staff, at=utc(2026, 3, 10, 10, 0), subject="DB <down>")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_at(utc(2026, 3, 10, 10, 12))  # at risk: every engineer hears of it
    alice = sent_to(staff.alice)[0]
    bob = sent_to(staff.bob)[0]
    assert mail_threading.subject_reference(alice.subject) == ticket.pk
    assert alice.extra_headers["References"] == f"<ticket-{ticket.pk}@{DOMAIN}>"
    assert mail_threading.parse_reply_address(alice.extra_headers["Reply-To"]) == (
        mail_threading.ReplyTarget(ticket.pk, staff.alice.pk)
    )
    assert "está em risco" in alice.body
    assert "07:15 (horário de São Paulo)" in alice.body  # due 10:15 UTC
    assert "10:15 (Lisbon time)" in bob.body
    assert "DB &lt;down&gt;" in html_of(bob) and "DB <down>" in bob.body


# --- mail that is not about a ticket ----------------------------------------------------------


def test_a_trial_reminder_is_auto_submitted_and_has_an_html_part(
    django_capture_on_commit_callbacks,
):
    engineer = EngineerFactory()
    OrganizationFactory(
        tier=Tier.TRIAL, trial_ends_on=datetime.date(2026, 3, 12), account_manager=engineer
    )
    with django_capture_on_commit_callbacks(execute=True):
        trials_remind(utc(2026, 3, 10, 9, 0))
    [message] = mail.outbox
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Reply-To" not in message.extra_headers
    assert "https://help.acme.example/" in html_of(message)


def test_a_password_reset_links_to_site_url_and_is_auto_submitted(
    client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="erin@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "erin@example.com"})
    [message] = mail.outbox
    assert "https://help.acme.example/accounts/password/reset/" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "https://help.acme.example/accounts/password/reset/" in html_of(message)
