"""Each ticket list's query gets its order from an index: PostgreSQL's plan has an index
scan and no Sort node, on the first page and on a page further on (the keyset filter).

Sequential and bitmap scans are switched off so that a small table cannot hide a missing
index: if no index gave the order, the plan would have to sort.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.selectors import SORTS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

_NEXT = re.compile(r'href="\?([^"]*)" rel="next"')


@pytest.fixture
def ana():
    customer = CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))
    other = CustomerFactory(organization=OrganizationFactory(tier=Tier.STANDARD))
    for index in range(30):
        make_ticket(customer if index % 2 else other, impact=["high", "medium", "low"][index % 3])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return customer


def _list_queries(queries: list[dict[str, str]]) -> list[str]:
    """The queries that found the page's tickets (those that order and limit them: one,
    or two for a later page of a sort on three columns, which reads by group)."""
    found = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "tickets_ticket"."id"')
        and "ORDER BY" in query["sql"]
        and "LIMIT" in query["sql"]
    ]
    assert 1 <= len(found) <= 2, found
    return found


def _nodes(plan: dict) -> list[str]:
    return [plan["Node Type"], *[node for child in plan.get("Plans", []) for node in _nodes(child)]]


def _assert_index_gives_the_order(queries: list[str]) -> None:
    for sql in queries:
        _assert_plan_reads_an_index_in_order(sql)


def _assert_plan_reads_an_index_in_order(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            (row,) = cursor.fetchall()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    nodes = _nodes(document[0]["Plan"])
    assert {"Index Scan", "Index Only Scan"} & set(nodes), (nodes, sql)
    assert not {"Sort", "Incremental Sort"} & set(nodes), (nodes, sql)


def _get(client, url: str) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, _list_queries(captured.captured_queries)


@pytest.mark.parametrize("role", ["engineer", "customer"])
def test_the_rest_list_reads_its_order_from_an_index(ana, role):
    api = APIClient()
    api.force_authenticate(EngineerFactory() if role == "engineer" else ana)
    response, sql = _get(api, "/api/v1/tickets/?page_size=5")
    _assert_index_gives_the_order(sql)
    _response, sql = _get(api, response.json()["next"])
    _assert_index_gives_the_order(sql)


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("role", ["engineer", "customer"])
def test_each_portal_sort_reads_its_order_from_an_index(client, ana, role, sort, monkeypatch):
    monkeypatch.setattr("tickets.selectors.PORTAL_PAGE_SIZE", 5)
    client.force_login(EngineerFactory() if role == "engineer" else ana)
    scope = "all" if role == "engineer" else "organization"
    response, sql = _get(client, f"/tickets/?scope={scope}&sort={sort}")
    _assert_index_gives_the_order(sql)
    (query,) = _NEXT.findall(response.content.decode())
    _response, sql = _get(client, "/tickets/?" + query.replace("&amp;", "&"))
    _assert_index_gives_the_order(sql)
