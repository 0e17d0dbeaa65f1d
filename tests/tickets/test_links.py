"""Linked tickets: 'related to' and 'caused by', shown on both tickets, to staff only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.links import ticket_link, ticket_links
from tickets.models import Event, EventKind, LinkKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))


@pytest.fixture
def eduardo():
    return EngineerFactory()


def test_a_link_shows_on_both_tickets_from_each_side(grace, eduardo):
    symptom = make_ticket(grace, subject="Slow logins")
    incident = make_ticket(grace, subject="Database failover")
    ticket_link(source=symptom, target=incident, kind=LinkKind.CAUSED_BY, actor=eduardo)
    [seen_from_symptom] = ticket_links(ticket=symptom, viewer=eduardo)
    [seen_from_incident] = ticket_links(ticket=incident, viewer=eduardo)
    assert (seen_from_symptom.label, seen_from_symptom.other) == ("caused by", incident)
    assert (seen_from_incident.label, seen_from_incident.other) == ("causes", symptom)
    events = Event.objects.filter(kind=EventKind.LINKED)
    assert events.count() == 2 and not any(event.is_public for event in events)
    assert Ticket.objects.get(pk=symptom.pk).version == symptom.version  # no field changed


def test_links_are_staff_only(client, grace, eduardo):
    one, two = make_ticket(grace, subject="One"), make_ticket(grace, subject="Two")
    with pytest.raises(PolicyViolation):
        ticket_link(source=one, target=two, kind=LinkKind.RELATED, actor=grace)
    ticket_link(source=one, target=two, kind=LinkKind.RELATED, actor=eduardo)
    assert ticket_links(ticket=one, viewer=grace) == []
    client.force_login(grace)
    page = client.get(f"/tickets/{one.pk}/").content.decode()
    assert "Linked tickets" not in page and "Linked with" not in page
    assert (
        client.post(f"/tickets/{one.pk}/links/", {"other": two.pk, "kind": "related"}).status_code
        == 403
    )
    api = APIClient()
    api.force_authenticate(grace)
    assert api.get(f"/api/v1/tickets/{one.pk}/links/").status_code == 403


def test_self_and_duplicate_links_are_refused(grace, eduardo):
    one, two = make_ticket(grace), make_ticket(grace)
    with pytest.raises(ValidationError):
        ticket_link(source=one, target=one, kind=LinkKind.RELATED, actor=eduardo)
    ticket_link(source=one, target=two, kind=LinkKind.RELATED, actor=eduardo)
    with pytest.raises(ValidationError):
        ticket_link(source=two, target=one, kind=LinkKind.CAUSED_BY, actor=eduardo)


def test_engineer_links_and_unlinks_on_the_ticket_page(client, grace, eduardo):
    one, two = make_ticket(grace, subject="One"), make_ticket(grace, subject="Two")
    client.force_login(eduardo)
    client.post(f"/tickets/{one.pk}/links/", {"other": f"#{two.pk}", "kind": "caused_by"})
    page = client.get(f"/tickets/{two.pk}/").content.decode()
    assert "Causes" in page and f"{one.reference} One" in page
    [linked] = ticket_links(ticket=one, viewer=eduardo)
    client.post(f"/tickets/{one.pk}/links/{linked.link.pk}/delete/")
    assert ticket_links(ticket=one, viewer=eduardo) == []


def test_api_links_for_staff(grace, eduardo):
    one, two = make_ticket(grace), make_ticket(grace)
    api = APIClient()
    api.force_authenticate(eduardo)
    response = api.post(
        f"/api/v1/tickets/{one.pk}/links/", {"other": two.pk, "kind": "related"}, format="json"
    )
    assert response.status_code == 201
    assert api.get(f"/api/v1/tickets/{two.pk}/links/").json()[0]["other"] == one.pk


def test_ticket_page_linked_tickets_cost_one_query(client, grace, eduardo):
    one = make_ticket(grace)
    client.force_login(eduardo)
    with CaptureQueriesContext(connection) as none_linked:
        client.get(f"/tickets/{one.pk}/")
    for _ in range(3):
        ticket_link(source=make_ticket(grace), target=one, kind=LinkKind.RELATED, actor=eduardo)
    with CaptureQueriesContext(connection) as three_linked:
        client.get(f"/tickets/{one.pk}/")
    assert len(three_linked) == len(none_linked)
