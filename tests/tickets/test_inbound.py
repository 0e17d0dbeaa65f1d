"""The e-mail channel's rules, each through the one entry point `inbound_receive`."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import Tier, User
from helpdesk.models import OutboxMessage
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tests.tickets.mail_corpus import corpus
from tickets import inbound as inbound_module
from tickets.inbound import inbound_receive, inbound_retry
from tickets.mail_threading import reply_address
from tickets.models import (
    Channel,
    Comment,
    InboundMessage,
    InboundOutcome,
    InboundState,
    Status,
    Ticket,
)
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(organization):
    return CustomerFactory(email="ana@acme.example", organization=organization)


@pytest.fixture
def hans():
    return CustomerFactory(email="hans@initech.example")


def receive(raw: bytes) -> InboundMessage:
    return inbound_receive(raw=raw, source="test")


def test_new_message_from_a_known_customer_opens_an_email_ticket_medium_medium(hans):
    inbound = receive(corpus("windows_1252"))
    ticket = inbound.ticket
    assert (inbound.state, inbound.outcome) == (InboundState.PROCESSED, "ticket_created")
    assert ticket.requester == hans and ticket.organization == hans.organization
    assert ticket.channel == Channel.EMAIL
    assert (ticket.impact, ticket.urgency) == ("medium", "medium")
    assert ticket.subject == "Falha na sincronização – urgente"
    assert ticket.description == "The “nightly” sync stopped – we’ve lost €50 of work already."


def test_first_lines_of_a_new_message_set_impact_and_urgency_and_are_removed(ana):
    ticket = receive(corpus("gmail_new")).ticket
    assert (ticket.impact, ticket.urgency) == ("high", "low")
    assert ticket.description.startswith("Hi,\n\nSince Saturday")
    assert "IT Operations" not in ticket.description  # the signature is trimmed


def test_the_full_original_is_kept_as_an_attachment(ana):
    raw = corpus("gmail_new")
    ticket = receive(raw).ticket
    [original] = ticket.attachments.all()
    assert original.name == "original-message.eml"
    assert original.file.read() == raw


def test_a_reply_to_the_signed_reply_address_is_a_trimmed_public_comment(ana, organization):
    ticket = make_ticket(ana)
    address = reply_address(ticket_id=ticket.pk, user_id=ana.pk)
    inbound = receive(corpus("gmail_reply", ticket=ticket.pk, reply_address=address))
    comment = inbound.comment
    assert (inbound.outcome, comment.ticket_id, comment.author) == ("comment_added", ticket.pk, ana)
    assert comment.is_public and comment.channel == Channel.EMAIL
    assert comment.body.startswith(
        "Thanks, the new service account fixed it. Last night's backup ran fine."
    )
    assert "wrote:" not in comment.body and "Best regards" not in comment.body
    assert [a.name for a in comment.attachments.all()] == ["original-message.eml"]
    assert Ticket.objects.count() == 1


def test_a_reply_to_a_ticket_waiting_on_the_customer_resumes_it(ana, engineer):
    ticket = make_ticket(ana)
    ticket_change_status(ticket=ticket, actor=engineer, status=Status.PENDING_CUSTOMER)
    address = reply_address(ticket_id=ticket.pk, user_id=ana.pk)
    receive(corpus("gmail_reply", ticket=ticket.pk, reply_address=address))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_references_match_a_ticket_the_sender_may_see(hans):
    ticket = make_ticket(hans)
    inbound = receive(corpus("outlook_reply", ticket=ticket.pk))
    assert inbound.comment.ticket_id == ticket.pk and inbound.comment.author == hans
    assert inbound.comment.body.endswith("The licence renewal was €50 cheaper too.")


def test_a_forged_reference_onto_another_organizations_ticket_changes_nothing_there(hans, ana):
    theirs = make_ticket(ana)
    version = theirs.version
    inbound = receive(corpus("outlook_reply", ticket=theirs.pk))
    assert inbound.outcome == "ticket_created"
    assert inbound.ticket.organization == hans.organization
    assert not Comment.objects.filter(ticket=theirs).exists()
    theirs.refresh_from_db()
    assert theirs.version == version


def test_subject_reference_is_a_fallback_for_a_sender_who_may_see_the_ticket(ana):
    ticket = make_ticket(ana)
    raw = (
        f"From: ana@acme.example\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: Re: [#{ticket.pk}] Backups\r\nMessage-ID: <s1@acme.example>\r\n\r\n"
        "Still failing.\r\n"
    ).encode()
    assert receive(raw).comment.ticket_id == ticket.pk


def test_subject_reference_to_a_ticket_the_sender_may_not_see_opens_a_new_ticket(ana, hans):
    theirs = make_ticket(hans)
    raw = (
        f"From: ana@acme.example\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: Re: [#{theirs.pk}] Backups\r\nMessage-ID: <s2@acme.example>\r\n\r\nHi\r\n"
    ).encode()
    inbound = receive(raw)
    assert inbound.outcome == "ticket_created" and inbound.ticket.requester == ana
    assert not Comment.objects.filter(ticket=theirs).exists()


def test_a_tampered_reply_token_is_not_trusted(ana, hans):
    theirs = make_ticket(hans)
    genuine = reply_address(ticket_id=theirs.pk, user_id=hans.pk)
    forged = genuine.replace(f"t{theirs.pk}u{hans.pk}", f"t{theirs.pk}u{ana.pk}")
    inbound = receive(corpus("gmail_reply", ticket=999999, reply_address=forged))
    assert inbound.outcome == "ticket_created" and inbound.ticket.requester == ana
    assert not Comment.objects.filter(ticket=theirs).exists()


def test_a_community_customer_cannot_reach_another_community_users_ticket_by_subject():
    community = OrganizationFactory(tier=Tier.COMMUNITY)
    owner = CustomerFactory(organization=community)
    other = CustomerFactory(
        email="ana@acme.example", organization=OrganizationFactory(tier=Tier.COMMUNITY)
    )
    ticket = make_ticket(owner)
    raw = (
        f"From: {other.email}\r\nSubject: [#{ticket.pk}]\r\nMessage-ID: <c1@x>\r\n\r\nHi\r\n"
    ).encode()
    assert receive(raw).ticket != ticket


def test_unknown_sender_gets_a_polite_refusal_and_nothing_is_created(db):
    inbound = receive(corpus("iso_8859_1"))
    assert (inbound.state, inbound.outcome) == (InboundState.IGNORED, "refused")
    assert not User.objects.filter(email="jose@acme.example").exists()
    assert Ticket.objects.count() == 0
    [refusal] = OutboxMessage.objects.all()
    assert refusal.payload["to"] == ["jose@acme.example"]
    assert refusal.payload["headers"]["Auto-Submitted"] == "auto-replied"
    assert refusal.payload["headers"]["In-Reply-To"] == "<20261201120000.latin1@acme.example>"
    assert "/accounts/signup/" in refusal.payload["body"]


@override_settings(INBOUND_UNKNOWN_SENDER="signup")
def test_unknown_sender_can_instead_get_a_community_account_and_organization(db):
    ticket = receive(corpus("iso_8859_1")).ticket
    user = ticket.requester
    assert user.email == "jose@acme.example" and user.first_name == "José"
    assert user.organization.tier == Tier.COMMUNITY
    assert not user.has_usable_password()
    assert ticket.description.startswith("Olá,")


@pytest.mark.parametrize("name", ["bounce", "out_of_office"])
def test_bounces_and_auto_replies_are_kept_but_file_and_answer_nothing(ana, name):
    ticket = make_ticket(ana)
    raw = corpus(name).replace(b"ticket-1042", f"ticket-{ticket.pk}".encode())
    sent_before = OutboxMessage.objects.count()  # the ticket's own receipt
    inbound = receive(raw)
    assert (inbound.state, inbound.outcome) == (InboundState.IGNORED, "automatic")
    assert not Comment.objects.exists() and Ticket.objects.count() == 1
    assert OutboxMessage.objects.count() == sent_before  # nothing answers a bounce


def test_list_mail_from_an_unknown_sender_is_not_answered(db):
    inbound = receive(corpus("mailing_list"))
    assert inbound.outcome == "automatic" and not OutboxMessage.objects.exists()


def test_staff_cannot_open_tickets_by_email(db):
    EngineerFactory(email="ana@acme.example")
    inbound = receive(corpus("gmail_new"))
    assert inbound.outcome == "refused" and not Ticket.objects.exists()


@override_settings(INBOUND_RATE_LIMIT=2)
def test_a_sender_over_the_rate_limit_is_kept_unfiled_until_an_administrator_retries(ana):
    results = [
        receive(
            f"From: ana@acme.example\r\nSubject: n{n}\r\nMessage-ID: <r{n}@x>\r\n\r\nhi".encode()
        )
        for n in range(3)
    ]
    assert [r.outcome for r in results] == ["ticket_created", "ticket_created", "rate_limited"]
    assert Ticket.objects.count() == 2
    assert not OutboxMessage.objects.filter(key__startswith="inbound:").exists()  # no answer
    assert inbound_retry(inbound_ids=[results[2].pk]) == 1
    assert Ticket.objects.count() == 3


def test_the_same_message_id_received_twice_creates_nothing_new(ana):
    first = receive(corpus("gmail_new"))
    second = receive(corpus("gmail_new"))
    assert second.pk == first.pk
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_html_only_mail_is_converted_and_sanitized_like_every_body():
    CustomerFactory(email="priya@community.example")
    ticket = receive(corpus("html_only")).ticket
    assert "The app crashes when I click Restore." in ticket.description
    html = ticket.description_html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_attachments_obey_the_webs_type_and_size_limits_with_a_note(ana, settings):
    raw = (
        b"From: ana@acme.example\r\nSubject: files\r\nMessage-ID: <f1@x>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nSee files.\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="tool.exe"\r\n\r\nMZ\r\n--b\r\n'
        b"Content-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="log.txt"\r\n\r\nline\r\n--b--\r\n'
    )
    ticket = receive(raw).ticket
    assert sorted(a.name for a in ticket.attachments.all()) == ["log.txt", "original-message.eml"]
    assert "Files of type .exe are not accepted." in ticket.description


def test_calendar_invite_and_inline_image_arrive_as_attachments(ana):
    CustomerFactory(email="yuki@tokyodata.example")
    CustomerFactory(email="olivia@umbrella.example")
    image = receive(corpus("apple_mail_inline_image")).ticket
    invite = receive(corpus("calendar_invite")).ticket
    assert "screenshot.png" in [a.name for a in image.attachments.all()]
    assert [a.name for a in invite.attachments.all()].count("invite.ics") == 2


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        (corpus("truncated_mime"), InboundState.PROCESSED),
        (corpus("wrong_boundary"), InboundState.PROCESSED),
        (corpus("missing_from"), InboundState.FAILED),
        (bytes(range(256)) * 100, InboundState.FAILED),
        (b"", InboundState.FAILED),
    ],
    ids=["truncated", "wrong-boundary", "missing-from", "binary-garbage", "empty"],
)
def test_malformed_input_never_crashes_and_is_kept_with_a_reason(ana, raw, state):
    inbound = receive(raw)
    inbound.refresh_from_db()
    assert inbound.state == state and inbound.reason
    assert bytes(inbound.raw) == raw


def test_a_20_mb_body_is_filed_cut_and_kept_whole(ana):
    body = (b"x" * 76 + b"\r\n") * (20 * 1024 * 1024 // 78)
    raw = b"From: ana@acme.example\r\nSubject: huge\r\nMessage-ID: <huge@x>\r\n\r\n" + body
    inbound = receive(raw)
    ticket = inbound.ticket
    assert inbound.state == InboundState.PROCESSED
    assert len(ticket.description) < 60_000
    assert "the helpdesk keeps it" in ticket.description  # too large to attach
    assert len(bytes(InboundMessage.objects.get(pk=inbound.pk).raw)) == len(raw)


def test_a_processing_failure_is_kept_with_its_reason_and_retried_from_the_admin(
    ana, admin_client, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(inbound_module.services, "ticket_create", broken)
    inbound = receive(corpus("gmail_new"))
    assert (inbound.state, inbound.outcome) == (InboundState.FAILED, InboundOutcome.ERROR)
    assert inbound.reason == "RuntimeError: the disk is full"
    assert not Ticket.objects.exists()
    monkeypatch.undo()

    assert (
        b"the disk is full"
        in admin_client.get(f"/admin/tickets/inboundmessage/{inbound.pk}/change/").content
    )
    response = admin_client.post(
        "/admin/tickets/inboundmessage/",
        {"action": "process_again", "_selected_action": [inbound.pk]},
    )
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.state == InboundState.PROCESSED and inbound.attempts == 2
    assert Ticket.objects.count() == 1
