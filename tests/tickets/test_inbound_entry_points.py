"""The three ways in reach the one entry point: the MTA pipe command, the inbound
webhook (django-anymail, authenticated) and the IMAP poll task on beat."""

from __future__ import annotations

import base64
import io
import sys

import pytest
from django.core.management import call_command
from django.test import override_settings

from helpdesk.celery import beat_schedule
from tests.factories import CustomerFactory
from tests.tickets.mail_corpus import corpus
from tickets.inbound_imap import imap_poll
from tickets.models import InboundMessage, Ticket

pytestmark = [
    pytest.mark.django_db,
    # The test posts SendGrid's raw-MIME format, the simplest to write by hand.
    pytest.mark.filterwarnings("ignore:django-anymail has dropped official support"),
]

WEBHOOK = "/inbound/email/sendgrid/inbound/"


def test_ingest_email_reads_one_raw_message_on_standard_input(monkeypatch):
    CustomerFactory(email="ana@acme.example")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus("gmail_new"))))
    out = io.StringIO()
    call_command("ingest_email", stdout=out)
    ticket = Ticket.objects.get()
    assert f"New ticket #{ticket.pk}." in out.getvalue()
    assert InboundMessage.objects.get().source == "pipe"


def _auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@override_settings(ANYMAIL={"WEBHOOK_SECRET": "mta:s3cret"})
def test_an_authenticated_inbound_webhook_files_the_message(client):
    CustomerFactory(email="ana@acme.example")
    response = client.post(
        WEBHOOK,
        {"email": corpus("gmail_new").decode()},
        HTTP_AUTHORIZATION=_auth("mta:s3cret"),
    )
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.source == "webhook:sendgrid" and inbound.outcome == "ticket_created"


@override_settings(ANYMAIL={"WEBHOOK_SECRET": "mta:s3cret"})
def test_an_inbound_webhook_without_the_secret_is_refused_and_keeps_nothing(client):
    CustomerFactory(email="ana@acme.example")
    for headers in ({}, {"HTTP_AUTHORIZATION": _auth("mta:guess")}):
        response = client.post(WEBHOOK, {"email": corpus("gmail_new").decode()}, **headers)
        assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_with_no_secret_configured_the_webhook_accepts_nothing(client, settings):
    assert settings.ANYMAIL["WEBHOOK_SECRET"].startswith("unset:")
    response = client.post(WEBHOOK, {"email": corpus("gmail_new").decode()})
    assert response.status_code == 400


def test_beat_polls_the_imap_mailbox_and_the_poll_is_a_no_op_without_a_host(settings):
    entry = beat_schedule()["inbound-imap-poll"]
    assert entry["task"] == "tickets.tasks.poll_inbound_mailbox"
    assert entry["schedule"].total_seconds() == settings.IMAP_POLL_SECONDS
    settings.IMAP_HOST = ""
    assert imap_poll() == 0
