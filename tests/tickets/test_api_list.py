"""The REST ticket list: cursor pages (no count, no page numbers), a fixed query count."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Tier
from sla.models import SLAClock
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Ticket
from tickets.serializers import TicketOutput

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def customer():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))


@pytest.fixture
def community_customer():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.COMMUNITY))


def _ids(response) -> list[int]:
    return [ticket["id"] for ticket in response.json()["results"]]


@pytest.mark.parametrize("role", ["engineer", "customer", "community"])
def test_the_list_costs_the_same_queries_for_one_ticket_and_for_twenty_five(
    api, customer, community_customer, role, django_assert_max_num_queries
):
    requester = community_customer if role == "community" else customer
    viewer = {"engineer": EngineerFactory(), "customer": customer, "community": requester}[role]
    make_ticket(requester)
    api.force_authenticate(viewer)
    api.get("/api/v1/tickets/")  # the forced user's roles are read once, then cached
    with django_assert_max_num_queries(20) as one:
        response = api.get("/api/v1/tickets/?page_size=25")
    assert response.status_code == 200
    assert len(_ids(response)) == 1
    for _ in range(24):
        make_ticket(requester)
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        response = api.get("/api/v1/tickets/?page_size=25")
    assert response.status_code == 200
    assert len(_ids(response)) == 25
    assert len(many.captured_queries) == len(one.captured_queries)
    assert not any("COUNT(" in query["sql"].upper() for query in many.captured_queries)


def test_cursor_pages_walk_every_visible_ticket_once_newest_activity_first(api, customer):
    tickets = [make_ticket(customer) for _ in range(5)]
    make_ticket(CustomerFactory())  # another organization's: never listed
    # Two share an instant: the id breaks the tie, so nothing is skipped or repeated.
    Ticket.objects.filter(pk__in=[tickets[1].pk, tickets[2].pk]).update(
        last_activity_at=tickets[1].last_activity_at
    )
    expected = list(
        Ticket.objects.filter(organization=customer.organization)
        .order_by("-last_activity_at", "-id")
        .values_list("id", flat=True)
    )
    api.force_authenticate(customer)
    seen: list[int] = []
    response = api.get("/api/v1/tickets/?page_size=2")
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    seen += _ids(response)
    while body["next"]:
        response = api.get(body["next"])
        assert response.status_code == 200
        body = response.json()
        seen += _ids(response)
    assert seen == expected
    back = api.get(body["previous"])
    assert back.status_code == 200
    assert _ids(back) == expected[2:4]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        base64.b64encode(b"p=yesterday").decode(),
        base64.b64encode(b"p=2026-12-01 10:00:00").decode(),  # no zone
        base64.b64encode(b"o=-3").decode(),
        base64.b64encode(b"p=0001-01-01 00:00:00+01:00").decode(),  # before year 1 in UTC
    ],
)
def test_an_invalid_cursor_is_a_404_not_a_500(api, customer, cursor):
    make_ticket(customer)
    api.force_authenticate(customer)
    response = api.get("/api/v1/tickets/", {"cursor": cursor})
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_page_size_is_capped(api, customer):
    api.force_authenticate(customer)
    assert api.get("/api/v1/tickets/?page_size=abc").status_code == 200
    assert api.get("/api/v1/tickets/?page_size=100000").status_code == 200


def test_a_page_holds_twenty_five_tickets_unless_asked_otherwise(api, customer):
    for _ in range(26):
        make_ticket(customer)
    api.force_authenticate(customer)
    body = api.get("/api/v1/tickets/").json()
    assert len(body["results"]) == 25
    assert body["next"] is not None
    assert len(api.get("/api/v1/tickets/?page_size=26").json()["results"]) == 26


def test_list_rows_are_exactly_what_the_ticket_serializer_gives(api, customer):
    """The list builds its rows without DRF's field machinery: every field, clock state,
    instant and duration must equal `TicketOutput`'s (and the ticket endpoint's)."""
    customer.time_zone = "Asia/Kolkata"
    customer.save(update_fields=["time_zone"])
    old = make_ticket(customer, at=timezone.now() - datetime.timedelta(days=9))
    make_ticket(customer, priority_override="P1", override_reason="Production is down")
    merged = make_ticket(customer)
    Ticket.objects.filter(pk=merged.pk).update(merged_into=old, priority_reason="tab\tnew\nline")
    SLAClock.objects.filter(ticket=old).update(met_at=timezone.now())
    api.force_authenticate(customer)
    response = api.get("/api/v1/tickets/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 3
    assert any(row["clocks"] for row in rows)
    assert any(row["merged_into"] == old.pk for row in rows)
    assert all(row["created_at"].endswith("Z") for row in rows)
    for row in rows:
        ticket = Ticket.objects.get(pk=row["id"])
        expected = TicketOutput(ticket, context={"now": timezone.now()}).data
        assert row == api.get(f"/api/v1/tickets/{ticket.pk}/").json()
        assert row == dict(expected) | {"clocks": [dict(c) for c in expected["clocks"]]}
