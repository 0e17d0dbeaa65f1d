"""The API's optimistic concurrency, as HTTP means it: every ticket response carries the
version as a strong ETag; writes that overwrite (status, priority) need `If-Match` with it,
answer 428 without one and 412 when someone else changed the ticket since; a reply adds,
so there If-Match is optional (and checked when sent)."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Comment, Ticket
from tickets.services import ticket_assign, ticket_change_priority

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def customer():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))


@pytest.fixture
def ticket(customer):
    return make_ticket(customer)


def _status(api, ticket, status="closed", **headers):
    return api.post(
        f"/api/v1/tickets/{ticket.pk}/status/", {"status": status}, format="json", headers=headers
    )


def _priority(api, ticket, **headers):
    return api.post(
        f"/api/v1/tickets/{ticket.pk}/priority/",
        {"priority": "P4", "reason": "Information request"},
        format="json",
        headers=headers,
    )


def test_ticket_detail_carries_its_version_as_a_quoted_etag(api, customer, ticket):
    api.force_authenticate(customer)
    response = api.get(f"/api/v1/tickets/{ticket.pk}/")
    assert response.status_code == 200
    assert response.json()["version"] == ticket.version == 1
    assert response["ETag"] == '"1"'


def test_ticket_list_and_create_carry_the_version(api, customer, ticket):
    api.force_authenticate(customer)
    assert api.get("/api/v1/tickets/").json()["results"][0]["version"] == 1
    response = api.post(
        "/api/v1/tickets/",
        {"subject": "x", "description": "y", "impact": "low", "urgency": "low"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize("write", [_status, _priority])
def test_a_write_without_if_match_is_428_and_changes_nothing(api, customer, ticket, write):
    api.force_authenticate(EngineerFactory())
    response = write(api, ticket)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.status, fresh.priority) == (1, ticket.status, ticket.priority)


def test_a_version_in_the_body_is_no_precondition(api, customer, ticket):
    api.force_authenticate(customer)
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/status/", {"status": "closed", "version": 1}, format="json"
    )
    assert response.status_code == 428


def test_if_match_star_is_no_precondition_either(api, customer, ticket):
    api.force_authenticate(customer)
    assert _status(api, ticket, **{"If-Match": "*"}).status_code == 428


def test_a_stale_status_write_is_412_says_who_changed_what_and_saves_nothing(api, customer, ticket):
    engineer = EngineerFactory(first_name="Eduardo", last_name="Lima")
    ticket_change_priority(ticket=ticket, actor=engineer, priority="P1", reason="Site down")
    api.force_authenticate(customer)
    response = _status(api, ticket, **{"If-Match": '"1"'})
    assert response.status_code == 412
    body = response.json()
    assert "Eduardo Lima" in body["detail"]
    assert "Nothing was saved" in body["detail"]
    assert any("Eduardo Lima" in change for change in body["changes"])
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.status) == (2, ticket.status)


def test_a_stale_priority_write_is_412_and_saves_nothing(api, customer, ticket):
    engineer = EngineerFactory()
    ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    api.force_authenticate(engineer)
    response = _priority(api, ticket, **{"If-Match": '"1"'})
    assert response.status_code == 412
    assert Ticket.objects.get(pk=ticket.pk).priority == ticket.priority


def test_a_write_with_the_current_etag_succeeds_and_returns_the_new_etag(api, customer, ticket):
    api.force_authenticate(customer)
    etag = api.get(f"/api/v1/tickets/{ticket.pk}/")["ETag"]
    response = _status(api, ticket, **{"If-Match": etag})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    # The old ETag is stale now: the same client's second write with it is refused.
    assert _status(api, ticket, "open", **{"If-Match": etag}).status_code == 412
    response = _status(api, ticket, "open", **{"If-Match": response["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] == '"3"'


def test_priority_write_with_the_current_etag_returns_the_new_etag(api, customer, ticket):
    api.force_authenticate(EngineerFactory())
    response = _priority(api, ticket, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.json()
    assert (response.json()["priority"], response["ETag"]) == ("P4", '"2"')


@pytest.mark.parametrize("header", ['W/"1"', "1", ' "1" '])
def test_weak_and_unquoted_forms_of_the_etag_are_accepted(api, customer, ticket, header):
    # A compressing proxy may weaken the ETag on its way (W/"1"); a bare number is an
    # unambiguous slip. Both name version 1, which is all the tag ever means.
    api.force_authenticate(customer)
    assert _status(api, ticket, **{"If-Match": header}).status_code == 200


@pytest.mark.parametrize("header", ['"abc"', '"1", "2"', "one", 'W/"-1"'])
def test_a_malformed_if_match_is_400_and_changes_nothing(api, customer, ticket, header):
    api.force_authenticate(customer)
    response = _status(api, ticket, **{"If-Match": header})
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_a_reply_adds_so_if_match_is_optional(api, customer, ticket):
    api.force_authenticate(customer)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "Any news?"})
    assert response.status_code == 201
    assert Comment.objects.filter(ticket=ticket, body="Any news?").exists()


def test_a_reply_with_a_stale_if_match_is_412_and_not_added(api, customer, ticket):
    engineer = EngineerFactory()
    ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    api.force_authenticate(customer)
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "Closing?"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert not Comment.objects.filter(ticket=ticket, body="Closing?").exists()
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "Closing?"}, headers={"If-Match": '"2"'}
    )
    assert response.status_code == 201


def _operation(schema, path, method):
    return schema["paths"][path][method]


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", ["status", "priority"])
def test_the_schema_says_overwriting_writes_need_if_match(schema, path):
    operation = _operation(schema, f"/api/v1/tickets/{{id}}/{path}/", "post")
    assert {"200", "412", "428"} <= set(operation["responses"])
    if_match = next(p for p in operation["parameters"] if p["name"] == "If-Match")
    assert (if_match["in"], if_match["required"]) == ("header", True)
    assert "ETag" in operation["responses"]["200"]["headers"]


def test_the_schema_says_a_reply_may_send_if_match(schema):
    operation = _operation(schema, "/api/v1/tickets/{id}/comments/", "post")
    assert "412" in operation["responses"]
    assert "428" not in operation["responses"]
    if_match = next(p for p in operation["parameters"] if p["name"] == "If-Match")
    assert if_match.get("required", False) is False


def test_the_schema_says_the_detail_carries_an_etag(schema):
    operation = _operation(schema, "/api/v1/tickets/{id}/", "get")
    assert "ETag" in operation["responses"]["200"]["headers"]
    ticket = schema["components"]["schemas"]["TicketOutput"]
    assert "version" in ticket["properties"]
