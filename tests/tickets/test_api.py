import pytest
from rest_framework.test import APIClient

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def customer():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))


def test_customer_files_a_ticket_through_the_api(api, customer):
    api.force_authenticate(customer)
    response = api.post(
        "/api/v1/tickets/",
        {
            "subject": "Restore fails",
            "description": "Error 42",
            "impact": "high",
            "urgency": "high",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["priority"], body["channel"], body["tier"]) == ("P1", "api", "premium")
    assert body["clocks"][0]["metric"] == "first_response"
    assert body["clocks"][0]["state"] == "running"


def test_bad_input_gets_field_errors_not_500(api, customer):
    api.force_authenticate(customer)
    response = api.post("/api/v1/tickets/", {"impact": "giant"}, format="json")
    assert response.status_code == 400
    assert {"subject", "description", "impact", "urgency"} <= set(response.json())
    response = api.post(
        "/api/v1/tickets/",
        {"subject": "x", "description": "y", "impact": "low", "urgency": "low",
         "priority_override": "P1"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "override_reason" in response.json()


def test_another_organizations_ticket_is_404(api, customer):
    other = make_ticket(CustomerFactory())
    api.force_authenticate(customer)
    for url in (f"/api/v1/tickets/{other.pk}/", f"/api/v1/tickets/{other.pk}/comments/"):
        assert api.get(url).status_code == 404
    assert api.post(f"/api/v1/tickets/{other.pk}/comments/", {"body": "x"}).status_code == 404
    assert api.get("/api/v1/tickets/").json()["results"] == []


def test_customers_cannot_add_internal_notes_and_stale_writes_fail_their_precondition(
    api, customer
):
    ticket = make_ticket(customer)
    api.force_authenticate(customer)
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "x", "is_public": False}, format="json"
    )
    assert response.status_code == 403
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/status/",
        {"status": "closed"},
        format="json",
        headers={"If-Match": f'"{ticket.version + 5}"'},
    )
    assert response.status_code == 412


def test_engineer_reclassifies_through_the_api(api, customer):
    ticket = make_ticket(customer)
    api.force_authenticate(EngineerFactory())
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/priority/",
        {"priority": "P4", "reason": "Information request"},
        format="json",
        headers={"If-Match": f'"{ticket.version}"'},
    )
    assert response.status_code == 200
    assert response.json()["priority"] == "P4"


def test_anonymous_callers_are_refused(api):
    assert api.get("/api/v1/tickets/").status_code in (401, 403)


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
