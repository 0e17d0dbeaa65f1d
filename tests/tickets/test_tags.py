"""Tags: engineers tag tickets, the queue shows and filters them, managers rename and
merge them; customers never see them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation, StaleUpdate
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Event, EventKind, Tag, Ticket, TicketTag
from tickets.tag_names import normalize_tag, parse_tags
from tickets.tags import tag_merge, tag_rename, tag_suggestions, ticket_tags_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace():
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM)
    return CustomerFactory(organization=org, email="grace@globex.example")


@pytest.fixture
def eduardo():
    return EngineerFactory(first_name="Eduardo", last_name="Engineer")


@pytest.fixture
def maria():
    return ManagerFactory(first_name="Maria", last_name="Manager")


def queue_subjects(client, query: str = "") -> list[str]:
    html = client.get(f"/tickets/queue/?{query}").content.decode()
    return re.findall(r'<td class="subject"><a href="[^"]+">([^<]+)</a>', html)


def test_tag_names_are_normalized_and_each_kept_once():
    assert normalize_tag("  Billing Issue ") == "billing-issue"
    assert normalize_tag("Reembolso/Fatura!") == "reembolsofatura"
    assert parse_tags("Outage, billing\nOUTAGE, , ") == ["outage", "billing"]
    assert parse_tags(["a, b", "c"]) == ["a", "b", "c"]


def test_engineer_tags_a_ticket_as_a_new_version_with_a_staff_only_line(grace, eduardo):
    ticket = make_ticket(grace)
    ticket = ticket_tags_set(ticket=ticket, actor=eduardo, names="Outage, billing")
    assert ticket.tag_names == ["billing", "outage"]
    assert ticket.version == 2
    assert sorted(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) == [
        "billing",
        "outage",
    ]
    event = Event.objects.get(ticket=ticket, kind=EventKind.TAGS_CHANGED)
    assert not event.is_public
    assert event.data == {"added": ["billing", "outage"], "removed": []}

    ticket = ticket_tags_set(ticket=ticket, actor=eduardo, names=["outage", "vip"])
    assert ticket.tag_names == ["outage", "vip"]
    assert not TicketTag.objects.filter(ticket=ticket, tag__name="billing").exists()
    # The same tags again change nothing.
    assert ticket_tags_set(ticket=ticket, actor=eduardo, names="vip, outage").version == 3


def test_a_customer_cannot_tag(grace):
    ticket = make_ticket(grace)
    with pytest.raises(PolicyViolation):
        ticket_tags_set(ticket=ticket, actor=grace, names="mine")


def test_tagging_a_ticket_changed_since_is_refused(grace, eduardo):
    ticket = make_ticket(grace)
    ticket_tags_set(ticket=ticket, actor=eduardo, names="a")
    with pytest.raises(StaleUpdate):
        ticket_tags_set(ticket=ticket, actor=eduardo, names="b", expected_version=1)


def test_customers_never_see_tags(client, grace, eduardo):
    ticket = make_ticket(grace)
    ticket_tags_set(ticket=ticket, actor=eduardo, names="angry-customer")
    client.force_login(grace)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "angry-customer" not in page
    assert client.get("/tickets/tags/").status_code == 403
    assert client.get("/tickets/tags/suggest/?tags=an").status_code == 403
    response = client.post(f"/tickets/{ticket.pk}/tags/", {"tags": "x", "version": 2})
    assert response.status_code == 403
    api = APIClient()
    api.force_authenticate(grace)
    assert api.get("/api/v1/tags/").status_code == 403
    assert api.get(f"/api/v1/tickets/{ticket.pk}/tags/").status_code == 403
    assert "angry" not in api.get(f"/api/v1/tickets/{ticket.pk}/").content.decode()


def test_queue_shows_tags_and_filters_by_every_tag_given_with_other_filters(client, grace, eduardo):
    outage = make_ticket(grace, subject="Outage P1", impact="high", urgency="high")
    billing = make_ticket(grace, subject="Billing P4", impact="low", urgency="low")
    both = make_ticket(grace, subject="Both P4", impact="low", urgency="low")
    make_ticket(grace, subject="Untagged")
    ticket_tags_set(ticket=outage, actor=eduardo, names="outage")
    ticket_tags_set(ticket=billing, actor=eduardo, names="billing")
    ticket_tags_set(ticket=both, actor=eduardo, names="billing, outage")
    client.force_login(eduardo)
    html = client.get("/tickets/queue/").content.decode()
    assert 'class="tag" href="/tickets/queue/?tag=outage"' in html
    assert sorted(queue_subjects(client, "tag=outage")) == ["Both P4", "Outage P1"]
    assert queue_subjects(client, "tag=outage&tag=billing") == ["Both P4"]
    assert queue_subjects(client, "tag=billing,%20Outage") == ["Both P4"]  # typed in one box
    assert queue_subjects(client, "tag=outage&priority=P1") == ["Outage P1"]
    assert queue_subjects(client, "tag=nothing-like-it") == []


def test_tags_shown_cost_no_extra_query_and_a_tag_filter_one_count(client, grace, eduardo):
    for index in range(10):
        make_ticket(grace, subject=f"Ticket {index}")
    client.force_login(eduardo)
    client.get("/tickets/queue/")
    with CaptureQueriesContext(connection) as untagged:
        client.get("/tickets/queue/")
    for ticket in Ticket.objects.all():
        ticket_tags_set(ticket=ticket, actor=eduardo, names="one, two, three")
    with CaptureQueriesContext(connection) as tagged:
        html = client.get("/tickets/queue/").content.decode()
    assert html.count('class="tag"') == 30
    assert len(tagged) == len(untagged)
    with CaptureQueriesContext(connection) as filtered:
        client.get("/tickets/queue/?tag=one&tag=two")
    # As with a text search, the filtered total is its own COUNT (the (tag, ticket) index
    # finds the matches) instead of testing every open ticket in the views' aggregate.
    assert len(filtered) == len(untagged) + 1


def test_side_bar_counts_understand_a_tag_filter(client, grace, eduardo):
    ticket = make_ticket(grace)
    make_ticket(grace)
    ticket_tags_set(ticket=ticket, actor=eduardo, names="vip")
    client.force_login(eduardo)
    html = client.get("/tickets/queue/?tag=vip").content.decode()
    assert re.search(r"1 ticket\b", html)


def test_ticket_page_form_sets_tags_with_the_version_seen(client, grace, eduardo):
    ticket = make_ticket(grace)
    client.force_login(eduardo)
    response = client.post(
        f"/tickets/{ticket.pk}/tags/", {"tags": "Database, slow", "version": ticket.version}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).tag_names == ["database", "slow"]
    stale = client.post(f"/tickets/{ticket.pk}/tags/", {"tags": "x", "version": 1}, follow=True)
    assert "changed by" in stale.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).tag_names == ["database", "slow"]


def test_autocomplete_offers_existing_tags_for_the_last_word(client, grace, eduardo):
    ticket = make_ticket(grace)
    ticket_tags_set(ticket=ticket, actor=eduardo, names="billing, bug, outage")
    assert tag_suggestions(prefix="B") == ["billing", "bug"]
    client.force_login(eduardo)
    html = client.get("/tickets/tags/suggest/", {"tags": "outage, b"}).content.decode()
    assert '<option value="outage, billing">' in html
    assert '<option value="outage, bug">' in html


def test_manager_renames_a_tag_everywhere_without_changing_ticket_versions(grace, eduardo, maria):
    ticket = make_ticket(grace)
    ticket = ticket_tags_set(ticket=ticket, actor=eduardo, names="bilingg, vip")
    tag = Tag.objects.get(name="bilingg")
    tag_rename(actor=maria, tag=tag, name="Billing")
    ticket.refresh_from_db()
    assert ticket.tag_names == ["billing", "vip"]
    assert ticket.version == 2


def test_renaming_to_an_existing_tag_merges_them_once_per_ticket(grace, eduardo, maria):
    one = ticket_tags_set(ticket=make_ticket(grace), actor=eduardo, names="invoice, billing")
    two = ticket_tags_set(ticket=make_ticket(grace), actor=eduardo, names="invoice")
    result = tag_rename(actor=maria, tag=Tag.objects.get(name="invoice"), name="billing")
    assert result.name == "billing"
    assert not Tag.objects.filter(name="invoice").exists()
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.tag_names == ["billing"] and two.tag_names == ["billing"]
    assert TicketTag.objects.filter(tag=result).count() == 2


def test_only_managers_rename_or_merge(client, grace, eduardo):
    ticket_tags_set(ticket=make_ticket(grace), actor=eduardo, names="a, b")
    a, b = Tag.objects.get(name="a"), Tag.objects.get(name="b")
    with pytest.raises(PolicyViolation):
        tag_rename(actor=eduardo, tag=a, name="c")
    with pytest.raises(PolicyViolation):
        tag_merge(actor=eduardo, sources=[a], target=b)
    client.force_login(eduardo)
    assert client.post(f"/tickets/tags/{a.pk}/rename/", {"name": "c"}).status_code == 403


def test_tag_page_counts_open_and_all_tickets_and_managers_rename_there(client, grace, maria):
    eduardo = EngineerFactory()
    open_ticket = make_ticket(grace)
    solved = make_ticket(grace)
    ticket_tags_set(ticket=open_ticket, actor=eduardo, names="outage")
    ticket_tags_set(ticket=solved, actor=eduardo, names="outage")
    Ticket.objects.filter(pk=solved.pk).update(status="solved")
    client.force_login(maria)
    html = client.get("/tickets/tags/").content.decode()
    row = re.search(r'<tr id="tag-\d+">.*?</tr>', html, re.S).group(0)
    assert ">1</a>" in row and ">2</a>" in row
    tag = Tag.objects.get(name="outage")
    response = client.post(f"/tickets/tags/{tag.pk}/rename/", {"name": "incident"}, follow=True)
    assert "is now “incident”" in response.content.decode()


def test_api_tags_for_staff_put_needs_if_match(grace, eduardo):
    ticket = make_ticket(grace)
    api = APIClient()
    api.force_authenticate(eduardo)
    url = f"/api/v1/tickets/{ticket.pk}/tags/"
    assert api.put(url, {"tags": ["x"]}, format="json").status_code == 428
    response = api.put(url, {"tags": ["Outage", "vip"]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert response.json() == {"tags": ["outage", "vip"], "version": 2}
    assert response["ETag"] == '"2"'
    assert api.put(url, {"tags": []}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    listed = api.get("/api/v1/tags/").json()["results"]
    assert {(tag["name"], tag["open_count"]) for tag in listed} == {("outage", 1), ("vip", 1)}
