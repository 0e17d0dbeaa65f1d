"""The navigation highlights exactly one section: the one whose address is the longest
prefix of the page's."""

import pytest

pytestmark = pytest.mark.django_db


def active_labels(response) -> list[str]:
    assert response.status_code == 200
    return [str(item["label"]) for item in response.context["nav_items"] if item["active"]]


def test_new_ticket_page_highlights_new_ticket_only(customer_client):
    assert active_labels(customer_client.get("/tickets/new/")) == ["New ticket"]


def test_ticket_list_highlights_tickets_only(customer_client):
    assert active_labels(customer_client.get("/tickets/")) == ["Tickets"]


def test_home_highlights_home_only(customer_client):
    assert active_labels(customer_client.get("/")) == ["Home"]


def test_a_page_outside_every_section_highlights_nothing(customer_client):
    assert active_labels(customer_client.get("/accounts/profile/")) == []


def test_current_section_is_marked_aria_current_once(customer_client):
    html = customer_client.get("/tickets/new/").content.decode()
    assert html.count('aria-current="page"') == 1
