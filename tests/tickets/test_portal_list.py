"""The portal lists page by keyset: every sort walks each ticket once, no count, no OFFSET."""

from __future__ import annotations

import base64
import datetime
import json
import re

import pytest
from django.utils import timezone

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Ticket
from tickets.selectors import SORTS

pytestmark = pytest.mark.django_db

_LINK = re.compile(r'href="\?([^"]*)" rel="(next|prev)"')


@pytest.fixture
def acme():
    return OrganizationFactory(tier=Tier.STANDARD, name="Acme")


@pytest.fixture
def ana(acme):
    return CustomerFactory(organization=acme)


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _links(response) -> dict[str, str]:
    html = response.content.decode()
    return {rel: "/tickets/?" + query.replace("&amp;", "&") for query, rel in _LINK.findall(html)}


def _ids(response) -> list[int]:
    return [ticket.pk for ticket in response.context["page"]]


def _thirty_tickets_with_ties(ana) -> None:
    """30 tickets; several share a priority and an instant, so only the id orders them."""
    tickets = [make_ticket(ana) for _ in range(30)]
    start = timezone.now() - datetime.timedelta(days=3)
    for index, ticket in enumerate(tickets):
        instant = start + datetime.timedelta(hours=index // 3)
        Ticket.objects.filter(pk=ticket.pk).update(
            priority=f"P{index % 4 + 1}", created_at=instant, last_activity_at=instant
        )


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_every_sort_walks_every_ticket_once_forward_and_back(client, ana, sort):
    _thirty_tickets_with_ties(ana)
    make_ticket(CustomerFactory())  # another organization's: never listed
    expected = list(
        Ticket.objects.filter(organization=ana.organization)
        .order_by(*SORTS[sort])
        .values_list("pk", flat=True)
    )
    client.force_login(ana)
    first = client.get(f"/tickets/?scope=organization&sort={sort}")
    assert first.status_code == 200
    assert 'rel="prev"' not in first.content.decode()
    second = client.get(_links(first)["next"])
    assert second.status_code == 200
    assert _ids(first) + _ids(second) == expected
    assert "next" not in _links(second)
    back = client.get(_links(second)["prev"])
    assert back.status_code == 200
    assert _ids(back) == expected[:25]
    assert "sort=" + sort in _links(second)["prev"]


def test_the_engineers_all_tickets_list_pages_across_organizations(client, ana):
    _thirty_tickets_with_ties(ana)
    make_ticket(CustomerFactory())
    client.force_login(EngineerFactory())
    first = client.get("/tickets/?scope=all")
    second = client.get(_links(first)["next"])
    assert len(_ids(first) + _ids(second)) == Ticket.objects.count() == 31


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        _cursor(["not a date", 1]),
        _cursor([1]),
        _cursor({"a": 1}),
        _cursor(["2026-12-01T10:00:00", 1]),  # no zone
        _cursor(["0001-01-01T00:00:00+01:00", 1]),  # before year 1 in UTC
        _cursor(["2026-12-01T10:00:00+00:00", [1]]),
        _cursor(["2026-12-01T10:00:00+00:00", "x"]),
    ],
)
def test_an_invalid_cursor_is_a_400(client, ana, cursor):
    make_ticket(ana)
    client.force_login(ana)
    assert client.get(f"/tickets/?after={cursor}").status_code == 400
    assert client.get(f"/tickets/?before={cursor}").status_code == 400


@pytest.mark.parametrize("viewer", ["customer", "engineer"])
def test_a_page_costs_the_same_queries_for_one_and_for_twenty_five_tickets(
    client, ana, viewer, django_assert_max_num_queries
):
    make_ticket(ana)
    user = ana if viewer == "customer" else EngineerFactory()
    client.force_login(user)
    url = "/tickets/?scope=organization" if viewer == "customer" else "/tickets/?scope=all"
    with django_assert_max_num_queries(30) as one:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_ids(response)) == 1
    for _ in range(26):
        make_ticket(ana)
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_ids(response)) == 25
    assert "next" in _links(response)
    assert not any("COUNT(" in query["sql"].upper() for query in many.captured_queries)
    assert not any("OFFSET" in query["sql"].upper() for query in many.captured_queries)


def test_my_tickets_lists_those_i_asked_for_and_those_i_am_copied_on_once_each(client, ana):
    colleague = CustomerFactory(organization=ana.organization)
    mine = make_ticket(ana)
    copied = make_ticket(colleague)
    copied.cc.add(ana)
    both = make_ticket(ana)
    both.cc.add(ana, colleague)
    make_ticket(colleague)  # neither: only in "Organization tickets"
    client.force_login(ana)
    response = client.get("/tickets/?scope=mine")
    assert sorted(_ids(response)) == sorted([mine.pk, copied.pk, both.pk])
