"""Malformed input is answered with a 400 or a field error, never a 500.

NUL bytes (PostgreSQL refuses them in text), integers beyond 64 bits, dates at the ends
of the calendar, fixed-offset time zones and forged formsets. These run on SQLite and,
with DATABASE_URL pointing at PostgreSQL, on PostgreSQL, where the NUL bytes bite.
"""

from __future__ import annotations

import pytest
from django.test import Client

from sla.models import SupportPlan
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory
from tests.sla.test_views import targets_post
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"  # > 2**64
NUL = "a\x00b"
HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_refused_or_shown(response) -> None:
    assert response.status_code < 500, response.status_code
    assert response.status_code in (200, 302, 400, 404), response.status_code


@pytest.fixture
def ticket():
    return make_ticket(CustomerFactory(organization=OrganizationFactory()))


@pytest.mark.parametrize("query", [{"q": NUL}, {"priority": NUL}, {"status": NUL}, {"page": HUGE}])
def test_portal_search_and_filters(client: Client, ticket, query):
    client.force_login(ticket.requester)
    response = client.get("/tickets/", query)
    assert_refused_or_shown(response)


def test_nul_byte_in_the_portal_search_is_a_400_that_says_why(client: Client, ticket):
    client.force_login(ticket.requester)
    response = client.get("/tickets/", {"q": NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"q": NUL},
        {"q": "#" + HUGE},
        {"q": HUGE},
        {"page": HUGE},
        {"size": HUGE},
        {"organization": HUGE},
        {"product": HUGE},
        {"assignee": HUGE},
        {"organization": "²"},
    ],
)
def test_queue_search_filters_and_pages(client: Client, ticket, query):
    client.force_login(EngineerFactory())
    assert_refused_or_shown(client.get("/tickets/queue/", query))


def test_queue_countdowns_with_huge_ids(client: Client, ticket):
    client.force_login(EngineerFactory())
    assert_refused_or_shown(client.get("/tickets/queue/countdowns/", {"id": [HUGE, "²"]}))


def test_inline_reply_and_reclassify_reason_with_nul_bytes(client: Client, ticket):
    client.force_login(EngineerFactory())
    reply = client.post(
        f"/tickets/queue/{ticket.pk}/reply/", {"body": NUL, "from": "queue"}, **HTMX
    )
    assert_refused_or_shown(reply)
    reclassify = client.post(
        f"/tickets/queue/{ticket.pk}/priority/",
        {"priority": "P1", "reason": NUL, "version": ticket.version},
        **HTMX,
    )
    assert_refused_or_shown(reclassify)
    assert not ticket.comments.exists()


def test_bulk_ids_and_assignee_beyond_64_bits(client: Client, ticket):
    client.force_login(EngineerFactory())
    for data in (
        {"ids": [HUGE], f"version_{HUGE}": "1", "bulk_status": "pending"},
        {"ids": [ticket.pk], f"version_{ticket.pk}": ticket.version, "bulk_assignee": HUGE},
        {"ids": ["²"], "bulk_status": "pending"},
    ):
        assert_refused_or_shown(client.post("/tickets/queue/bulk/", data))


def test_phone_pages_with_huge_ids(client: Client, ticket):
    client.force_login(EngineerFactory())
    assert_refused_or_shown(client.get("/tickets/phone/", {"organization": HUGE}))
    assert_refused_or_shown(client.get("/tickets/phone/requesters/", {"organization": HUGE}))
    response = client.post(
        "/tickets/phone/",
        {"organization": HUGE, "requester": HUGE, "subject": "x", "description": "y",
         "impact": "high", "urgency": "high"},
    )  # fmt: skip
    assert_refused_or_shown(response)


def test_cc_with_an_id_beyond_64_bits(client: Client, ticket):
    client.force_login(ticket.requester)
    response = client.post(
        "/tickets/new/",
        {"subject": "x", "description": "y", "impact": "high", "urgency": "high", "cc": [HUGE]},
    )
    assert_refused_or_shown(response)


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("9999-12-31", "9999-12-31")],
)
def test_dashboard_periods_at_the_ends_of_the_calendar(client: Client, start, end):
    client.force_login(ManagerFactory())
    query = {"period": "custom", "start": start, "end": end}
    response = client.get("/sla/dashboard/", query)
    assert response.status_code == 200
    assert "Choose dates between" in response.content.decode()
    assert client.get("/sla/dashboard/attainment_tier.csv", query).status_code == 400


def test_dashboard_organization_beyond_64_bits(client: Client):
    client.force_login(ManagerFactory())
    assert_refused_or_shown(client.get("/sla/dashboard/", {"organization": HUGE}))


@pytest.mark.parametrize("zone", ["Etc/GMT-3", "Etc/GMT+11", "Etc/GMT+0"])
def test_manager_in_a_fixed_offset_zone_sees_the_dashboard(client: Client, ticket, zone):
    client.force_login(ManagerFactory(time_zone=zone))
    assert client.get("/sla/dashboard/").status_code == 200
    assert client.get("/sla/dashboard/breaches_week.csv").status_code == 200
    assert client.get("/sla/dashboard/attainment_tier.csv").status_code == 200


def test_plan_form_with_one_target_form_too_many_is_a_field_error(client: Client):
    client.force_login(ManagerFactory())
    plan = SupportPlan.objects.get(code="standard")
    data = targets_post(plan)
    data["targets-TOTAL_FORMS"] = "9"
    response = client.post(f"/sla/plans/{plan.code}/", data)
    assert response.status_code == 200
    assert "at most 8" in response.content.decode()
