"""Impact and urgency share their levels but not their words in Portuguese: "impacto" is
masculine ("Alto"), "urgência" feminine ("Alta")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import CustomerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_after():
    yield
    translation.activate("en")


def test_ticket_page_and_new_ticket_form_agree_with_each_noun_in_portuguese(client: Client):
    customer = CustomerFactory(organization=OrganizationFactory(), language="pt-br")
    ticket = make_ticket(customer, impact="high", urgency="high")
    client.force_login(customer)
    page = client.get(f"/tickets/{ticket.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Impacto: Alto" in html
    assert "Urgência: Alta" in html
    assert "Impacto: Alta" not in html
    form = client.get("/tickets/new/")
    assert form.status_code == 200
    text = form.content.decode()
    assert "Médio" in text and "Média" in text  # impact radios, then urgency radios


def test_english_keeps_one_word_for_both():
    customer = CustomerFactory(organization=OrganizationFactory(), language="en")
    ticket = make_ticket(customer, impact="low", urgency="low")
    assert ticket.get_impact_display() == "Low"
    assert ticket.get_urgency_display() == "Low"
