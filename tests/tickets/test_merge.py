"""Merging a duplicate: the conversation moves, the duplicate closes with a link and its
clocks stop saying why, the survivor keeps its own clocks, the customer is told; never
across organizations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation, StaleUpdate
from helpdesk.models import OutboxMessage
from sla.explain import explain_clock, stopped_reason
from sla.models import SLAClock
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.merge import ticket_merge
from tickets.models import Attachment, Comment, Event, EventKind, Status, Ticket
from tickets.services import comment_add, ticket_change_status
from tickets.tags import ticket_tags_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex():
    return OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")


@pytest.fixture
def grace(globex):
    return CustomerFactory(organization=globex, first_name="Grace", email="grace@globex.example")


@pytest.fixture
def hank(globex):
    return CustomerFactory(organization=globex, first_name="Hank", email="hank@globex.example")


@pytest.fixture
def eduardo():
    return EngineerFactory(first_name="Eduardo", last_name="Engineer")


@pytest.fixture
def pair(grace, hank, eduardo):
    target = make_ticket(grace, subject="VPN down", impact="high", urgency="high")
    duplicate = make_ticket(
        hank,
        subject="Cannot connect to VPN",
        description="Since 9am.",
        attachments=[SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")],
    )
    comment_add(ticket=duplicate, author=hank, body="Still down.")
    ticket_tags_set(ticket=duplicate, actor=eduardo, names="vpn")
    return Ticket.objects.get(pk=duplicate.pk), Ticket.objects.get(pk=target.pk)


def test_merge_moves_the_conversation_and_closes_the_duplicate_with_a_link(pair, eduardo, hank):
    duplicate, target = pair
    survivor = ticket_merge(source=duplicate, target=target, actor=eduardo)
    assert survivor.pk == target.pk
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into_id == target.pk
    assert Comment.objects.filter(ticket=duplicate).count() == 0
    bodies = list(Comment.objects.filter(ticket=target).values_list("body", flat=True))
    assert "Still down." in bodies
    assert any(
        f"Ticket {duplicate.reference} “Cannot connect to VPN” was merged" in b for b in bodies
    )
    assert any("> Since 9am." in b for b in bodies)
    assert Attachment.objects.get(name="log.txt").ticket_id == target.pk
    target.refresh_from_db()
    assert hank in target.cc.all()
    assert target.tag_names == ["vpn"]
    assert Event.objects.filter(ticket=duplicate, kind=EventKind.MERGED_INTO).exists()
    assert Event.objects.get(ticket=target, kind=EventKind.MERGED_FROM).data["from"] == duplicate.pk


def test_the_survivor_keeps_its_clocks_the_duplicates_stop_saying_why(pair, eduardo):
    duplicate, target = pair
    before = list(SLAClock.objects.filter(ticket=target).values_list("due_at", "paused_at"))
    ticket_merge(source=duplicate, target=target, actor=eduardo)
    assert list(SLAClock.objects.filter(ticket=target).values_list("due_at", "paused_at")) == (
        before
    )
    assert Ticket.objects.get(pk=target.pk).first_responded_at is None  # nobody answered
    duplicate = Ticket.objects.get(pk=duplicate.pk)
    assert duplicate.sla_due_at is None
    for clock in SLAClock.objects.filter(ticket=duplicate):
        assert clock.paused_at is not None and clock.met_at is None
        assert stopped_reason(clock, ticket=duplicate) == "merged"
        explained = explain_clock(clock, ticket=duplicate, now=duplicate.closed_at)
        assert f"merged into #{target.pk}" in explained.status_text
        assert f"merged into #{target.pk}" in explained.sentence
    paused = Event.objects.filter(ticket=duplicate, kind=EventKind.SLA_PAUSED)
    assert {event.data["reason"] for event in paused} == {"merged"}


def test_the_customer_is_told_by_email(pair, eduardo, hank):
    duplicate, target = pair
    ticket_merge(source=duplicate, target=target, actor=eduardo)
    message = OutboxMessage.objects.get(key=f"merge:{duplicate.pk}:to:{hank.pk}")
    assert f"was merged into {target.reference}" in message.payload["body"]
    assert f"/tickets/{target.pk}/" in message.payload["body"]


def test_cross_organization_merge_is_refused(pair, eduardo):
    duplicate, _target = pair
    other = make_ticket(CustomerFactory(organization=OrganizationFactory()))
    with pytest.raises(PolicyViolation):
        ticket_merge(source=duplicate, target=other, actor=eduardo)
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id is None
    assert Comment.objects.filter(ticket=duplicate).exists()


def test_customers_cannot_merge(pair, grace):
    duplicate, target = pair
    with pytest.raises(PolicyViolation):
        ticket_merge(source=duplicate, target=target, actor=grace)


def test_merging_twice_into_itself_or_a_stale_page_is_refused(pair, eduardo, grace):
    duplicate, target = pair
    with pytest.raises(ValidationError):
        ticket_merge(source=target, target=target, actor=eduardo)
    with pytest.raises(StaleUpdate):
        ticket_merge(source=duplicate, target=target, actor=eduardo, expected_version=1)
    ticket_merge(source=duplicate, target=target, actor=eduardo)
    with pytest.raises(ValidationError):
        ticket_merge(source=duplicate, target=target, actor=eduardo)
    third = make_ticket(grace)
    with pytest.raises(ValidationError):  # merged tickets are no target either
        ticket_merge(source=third, target=duplicate, actor=eduardo)


def test_a_reply_to_the_merged_ticket_lands_on_the_survivor_and_it_stays_closed(
    pair, eduardo, hank
):
    duplicate, target = pair
    ticket_merge(source=duplicate, target=target, actor=eduardo)
    comment = comment_add(ticket=duplicate, author=hank, body="Any news?")
    assert comment.ticket_id == target.pk
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.CLOSED
    with pytest.raises(PolicyViolation):
        ticket_change_status(ticket=duplicate, actor=hank, status=Status.OPEN)


def test_ticket_pages_merge_and_show_the_link(client, pair, eduardo, hank):
    duplicate, target = pair
    client.force_login(eduardo)
    response = client.post(
        f"/tickets/{duplicate.pk}/merge/", {"into": f"#{target.pk}", "version": duplicate.version}
    )
    assert response.status_code == 302 and response["Location"] == f"/tickets/{target.pk}/"
    client.force_login(hank)
    page = client.get(f"/tickets/{duplicate.pk}/").content.decode()
    assert f'This ticket was merged into <a href="/tickets/{target.pk}/">#{target.pk}</a>' in page
    assert "clock stopped when this ticket was merged" in page
    assert "was merged into this one" in client.get(f"/tickets/{target.pk}/").content.decode()


def test_api_merge_needs_if_match_and_refuses_other_organizations(pair, eduardo, grace):
    duplicate, target = pair
    api = APIClient()
    api.force_authenticate(grace)
    url = f"/api/v1/tickets/{duplicate.pk}/merge/"
    assert api.post(url, {"into": target.pk}, format="json").status_code == 403
    api.force_authenticate(eduardo)
    assert api.post(url, {"into": target.pk}, format="json").status_code == 428
    other = make_ticket(CustomerFactory(organization=OrganizationFactory()))
    refused = api.post(
        url, {"into": other.pk}, format="json", HTTP_IF_MATCH=f'"{duplicate.version}"'
    )
    assert refused.status_code == 403
    response = api.post(
        url, {"into": target.pk}, format="json", HTTP_IF_MATCH=f'"{duplicate.version}"'
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == target.pk
    assert api.get(f"/api/v1/tickets/{duplicate.pk}/").json()["merged_into"] == target.pk


def test_merge_costs_a_bounded_number_of_queries(pair, eduardo, django_assert_max_num_queries):
    duplicate, target = pair
    with django_assert_max_num_queries(60):
        ticket_merge(source=duplicate, target=target, actor=eduardo, at=None)
