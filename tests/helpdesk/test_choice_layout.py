"""Radios and check boxes are laid out with each control inside its own label, the group
named by a legend (the reply form's "Visibility", the new ticket's "CC colleagues")."""

import re

import pytest

from tests.factories import CustomerFactory
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db


def choice_label(html: str, input_type: str, text: str) -> bool:
    pattern = (
        rf'<label class="choice" for="(id_[\w]+)"><input type="{input_type}"[^>]*id="\1"[^>]*>'
        rf" <span>{re.escape(text)}</span></label>"
    )
    return re.search(pattern, html) is not None


def test_reply_visibility_radios_sit_in_their_labels_under_a_legend(client, engineer, customer):
    ticket = make_ticket(customer)
    client.force_login(engineer)
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<fieldset class="field choices"[^>]*>\s*<legend>Visibility', html)
    assert choice_label(html, "radio", "Public reply")
    assert choice_label(html, "radio", "Internal note")


def test_cc_colleagues_checkboxes_sit_in_their_labels_under_a_legend(client, customer):
    CustomerFactory(organization=customer.organization, first_name="Bea", last_name="Lima")
    client.force_login(customer)
    response = client.get("/tickets/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<fieldset class="field choices"[^>]*>\s*<legend>CC colleagues', html)
    assert choice_label(html, "checkbox", "Bea Lima")
