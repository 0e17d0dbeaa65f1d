"""The queue at any size: keyset pages, menus fetched when opened, bounded counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Tag, Ticket, TicketTag
from tickets.queue import (
    COUNT_LIMIT,
    BoundedCount,
    QueueFilters,
    QueueKey,
    queue_counts,
    queue_tickets,
)
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db

P1 = {"impact": "high", "urgency": "high"}
P3 = {"impact": "low", "urgency": "high"}
P4 = {"impact": "low", "urgency": "low"}


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def eduardo():
    return EngineerFactory(first_name="Eduardo", last_name="Engineer")


@pytest.fixture
def grace():
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    return CustomerFactory(organization=org)


@pytest.fixture
def priya():
    org = OrganizationFactory(name="Priya Co", tier=Tier.COMMUNITY, time_zone="Asia/Kolkata")
    return CustomerFactory(organization=org)


@pytest.fixture
def seven(grace, priya):
    """Seven open tickets: four with a deadline (Premium), three without (Community)."""
    tickets = [
        make_ticket(grace, subject=f"Dated {n}", at=ago(minutes=10 * n), **P4) for n in range(4)
    ]
    tickets += [
        make_ticket(priya, subject=f"Undated {n}", at=ago(hours=n + 1), **P4) for n in range(3)
    ]
    return tickets


def subjects(html: str) -> list[str]:
    return re.findall(r'<td class="subject"><a href="[^"]+">([^<]+)</a>', html)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="\?([^"]+)"[^>]*rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def expected_order(user) -> list[str]:
    tickets = queue_tickets(user=user, filters=QueueFilters(), now=timezone.now())
    return [ticket.subject for ticket in tickets]


# --- keyset pages --------------------------------------------------------------------------


def test_next_links_walk_every_ticket_once_in_queue_order(client: Client, eduardo, seven):
    client.force_login(eduardo)
    seen: list[str] = []
    query = "size=2"
    for _ in range(10):
        response = client.get(f"/tickets/queue/?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        seen += subjects(html)
        query = link(html, "next")
        if query is None:
            break
    assert seen == expected_order(eduardo)
    assert len(seen) == 7  # dated and undated tickets, across the boundary between them


def test_previous_links_walk_back_to_the_first_page(client: Client, eduardo, seven):
    client.force_login(eduardo)
    pages: list[list[str]] = []
    query: str | None = "size=3"
    while query:
        html = client.get(f"/tickets/queue/?{query}").content.decode()
        pages.append(subjects(html))
        query = link(html, "next")
    assert [len(page) for page in pages] == [3, 3, 1]
    back: list[list[str]] = []
    query = link(html, "prev")
    while query:
        response = client.get(f"/tickets/queue/?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        back.append(subjects(html))
        query = link(html, "prev")
    assert back == [pages[1], pages[0]]


def test_a_deep_page_reads_from_its_key_without_offset(client: Client, eduardo, seven):
    client.force_login(eduardo)
    order = list(queue_tickets(user=eduardo, filters=QueueFilters(), now=timezone.now()))
    key = QueueKey.of(order[4]).encode()  # the last row of a page, past the dated tickets
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/tickets/queue/?size=2&after={key}")
    assert response.status_code == 200
    assert subjects(response.content.decode()) == [ticket.subject for ticket in order[5:7]]
    assert not any("OFFSET" in query["sql"].upper() for query in captured.captured_queries)


def test_a_key_survives_its_row_leaving_the_queue(client: Client, eduardo, seven):
    """The key carries the row's sort values, not just its id: a page after a row that was
    solved meanwhile still starts right after where it stood."""
    client.force_login(eduardo)
    order = list(queue_tickets(user=eduardo, filters=QueueFilters(), now=timezone.now()))
    key = QueueKey.of(order[1]).encode()
    Ticket.objects.filter(pk=order[1].pk).update(status="solved")
    html = client.get(f"/tickets/queue/?size=2&after={key}").content.decode()
    assert subjects(html) == [order[2].subject, order[3].subject]


@pytest.mark.parametrize(
    "key",
    [
        "abc",
        "1.2",
        "1.2.3.4",
        "n.n.1",
        "n.1.0",  # no such id
        "n.1.99999999999999999999",  # past a database integer
        "999999999999999999.1.1",  # an instant past the year 9999
        "1234567890123456789.1.1",  # too many digits
        "-5.1.1",
        "١٢.1.1",  # digits of another script
        "n.1.1\x00",
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_tampered_page_key_is_a_400_never_a_500(client: Client, eduardo, seven, key, direction):
    client.force_login(eduardo)
    response = client.get("/tickets/queue/", {direction: key})
    assert response.status_code == 400


def test_a_tampered_page_key_is_told(client: Client, eduardo):
    client.force_login(eduardo)
    response = client.get("/tickets/queue/", {"after": "1.2.x"})
    assert response.status_code == 400
    assert b"This page link is not valid" in response.content


def test_a_valid_key_past_every_row_is_an_empty_page(client: Client, eduardo, seven):
    client.force_login(eduardo)
    response = client.get("/tickets/queue/", {"after": "n.99999999999999999.1"})
    assert response.status_code == 200
    assert "No tickets match these filters." in response.content.decode()


def test_an_action_with_a_tampered_key_answers_the_first_page(client: Client, eduardo, seven):
    client.force_login(eduardo)
    ticket = seven[0]
    response = client.post(
        f"/tickets/queue/{ticket.pk}/take/",
        {"version": ticket.version, "from": "queue", "filters": "after=garbage"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f"You took {ticket.reference}." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == eduardo


@pytest.mark.parametrize(
    "query",
    [
        "assignee=me",
        "assignee=unassigned&priority=P1&priority=P2",
        "sla=at_risk",
        "sla=breached",
        "tier=community",
        "channel=web",
        "q=Dated",
        "status=any",
    ],
)
def test_every_filter_pages_by_key_in_queue_order(client: Client, eduardo, grace, priya, query):
    for n in range(3):
        mine = make_ticket(grace, subject=f"Mine {n}", at=ago(minutes=5 * n), **P1)
        ticket_assign(ticket=mine, actor=eduardo, assignee=eduardo)
        make_ticket(grace, subject=f"Dated {n}", at=ago(hours=3, minutes=n), **P1)
        make_ticket(priya, subject=f"Undated {n}", at=ago(hours=n), **P4)
        make_ticket(grace, subject=f"At risk {n}", at=ago(hours=3, minutes=10 + n), **P3)
    client.force_login(eduardo)
    filters = QueueFilters.parse(QueryDict(query))
    expected = [t.subject for t in queue_tickets(user=eduardo, filters=filters, now=timezone.now())]
    seen: list[str] = []
    page: str | None = f"{query}&size=2"
    while page:
        html = client.get(f"/tickets/queue/?{page}").content.decode()
        seen += subjects(html)
        page = link(html, "next")
    assert seen == expected and expected


# --- tags by id ----------------------------------------------------------------------------


def test_tag_filter_queries_by_tag_id_not_through_the_tag_name(client: Client, eduardo, seven):
    tag = Tag.objects.create(name="security")
    TicketTag.objects.create(ticket=seven[2], tag=tag)
    client.force_login(eduardo)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/tickets/queue/?tag=security")
    assert response.status_code == 200
    assert subjects(response.content.decode()) == [seven[2].subject]
    page_queries = [q["sql"] for q in captured.captured_queries if "tickets_tickettag" in q["sql"]]
    assert page_queries  # the page and the counts test the tag...
    assert not any('"tickets_tag"' in sql for sql in page_queries)  # ...by id, no join


def test_an_unknown_tag_matches_nothing_and_counts_zero(client: Client, eduardo, seven):
    client.force_login(eduardo)
    response = client.get("/tickets/queue/?tag=no-such-tag")
    assert response.status_code == 200
    html = response.content.decode()
    assert subjects(html) == []
    assert "0 tickets" in html


# --- row menus fetched when opened ---------------------------------------------------------


def test_the_page_carries_no_menu_options_however_many_rows(client: Client, eduardo, seven):
    for n in range(5):
        EngineerFactory(first_name=f"Engineer{n}")
    client.force_login(eduardo)
    small = client.get("/tickets/queue/?size=1")
    large = client.get("/tickets/queue/?size=7")
    assert small.status_code == large.status_code == 200
    # The filters and the bulk bar have their options once; rows add none.
    assert small.content.decode().count("<option") == large.content.decode().count("<option")
    assert 'hx-trigger="toggle once"' in large.content.decode()


def test_the_actions_menu_offers_assign_status_and_reclassify(client: Client, eduardo, seven):
    EngineerFactory(first_name="Emma", last_name="Engineer")
    ticket = seven[0]
    client.force_login(eduardo)
    response = client.get(f"/tickets/queue/{ticket.pk}/menu/", {"part": "actions"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Emma Engineer" in html
    assert f'action="/tickets/queue/{ticket.pk}/assign/"' in html
    assert f'action="/tickets/queue/{ticket.pk}/status/"' in html
    assert f'action="/tickets/queue/{ticket.pk}/priority/"' in html
    assert f'name="version" value="{ticket.version}"' in html
    assert '<option value="P4" selected>' in html


def test_the_reply_menu_offers_the_reply_form(client: Client, eduardo, seven):
    ticket = seven[0]
    client.force_login(eduardo)
    response = client.get(f"/tickets/queue/{ticket.pk}/menu/", {"part": "reply"})
    assert response.status_code == 200
    assert f'action="/tickets/queue/{ticket.pk}/reply/"' in response.content.decode()


def test_row_menus_refuse_bad_input_and_customers(client: Client, eduardo, grace, seven):
    client.force_login(eduardo)
    assert client.get(f"/tickets/queue/{seven[0].pk}/menu/", {"part": "x"}).status_code == 400
    assert client.get("/tickets/queue/999999/menu/", {"part": "actions"}).status_code == 404
    assert client.post(f"/tickets/queue/{seven[0].pk}/menu/").status_code == 405
    client.force_login(grace)
    response = client.get(f"/tickets/queue/{seven[0].pk}/menu/", {"part": "actions"})
    assert response.status_code in (403, 404)


# --- an action that moves the row off the page says so --------------------------------------


def test_a_row_that_leaves_the_page_after_an_action_is_named_with_a_link(
    client: Client, eduardo, seven
):
    ticket = seven[0]
    client.force_login(eduardo)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/reply/",
        {
            "body": "We are on it.",
            "visibility": "public",
            "from": "queue",
            "filters": "status=new",  # a public reply moves it out of New
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{ticket.reference} is no longer on this page of the queue" in html
    assert f'<a href="/tickets/{ticket.pk}/">open {ticket.reference}</a>' in html


def test_a_row_still_on_the_page_gets_no_such_message(client: Client, eduardo, seven):
    ticket = seven[0]
    client.force_login(eduardo)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/reply/",
        {"body": "A note.", "visibility": "internal", "from": "queue", "filters": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "no longer on this page" not in response.content.decode()


# --- bounded counts ------------------------------------------------------------------------


def test_bounded_count_is_exact_up_to_the_limit_then_says_more():
    assert str(BoundedCount(7)) == "7"
    assert str(BoundedCount(COUNT_LIMIT)) == "1,000"
    assert str(BoundedCount(COUNT_LIMIT + 1)) == "1,000+"
    with translation.override("pt-br"):
        assert str(BoundedCount(COUNT_LIMIT + 1)) == "1.000+"


def test_counts_stop_past_a_thousand(client: Client, eduardo, priya):
    model = make_ticket(priya, subject="Many", **P4)
    clones = []
    for _ in range(COUNT_LIMIT + 5):
        clone = Ticket.objects.get(pk=model.pk)
        clone.pk = None
        clones.append(clone)
    Ticket.objects.bulk_create(clones)
    counts = queue_counts(
        user=eduardo, queries={"all": "", "mine": "assignee=me"}, now=timezone.now()
    )
    assert counts["all"].value == COUNT_LIMIT + 1 and counts["all"].more
    assert counts["mine"].value == 0
    client.force_login(eduardo)
    response = client.get("/tickets/queue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="count" data-view="all">1,000+</span>' in html
    assert "1,000+ tickets" in html


def test_counts_read_at_most_a_thousand_and_one_rows_each(eduardo):
    with CaptureQueriesContext(connection) as captured:
        queue_counts(user=eduardo, queries={"a": "", "b": "sla=breached"}, now=timezone.now())
    assert len(captured.captured_queries) == 1
    assert captured.captured_queries[0]["sql"].count(f"LIMIT {COUNT_LIMIT + 1}") == 2


# --- query budget --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 10),
        ("size=7", 10),
        ("after=n.1.1", 10),
        ("tag=vip&priority=P4", 11),  # the tag names resolved to ids
    ],
)
def test_queue_page_queries_are_pinned(client: Client, eduardo, seven, query, expected):
    """Session, user, groups, saved views, [tag ids,] counts, page, clocks, engineers,
    organizations, products."""
    TicketTag.objects.create(ticket=seven[5], tag=Tag.objects.create(name="vip"))
    client.force_login(eduardo)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/tickets/queue/?{query}")
    assert response.status_code == 200
    assert 'class="queue-row' in response.content.decode()
    assert len(captured.captured_queries) == expected, "\n".join(
        q["sql"][:150] for q in captured.captured_queries
    )


def test_a_page_across_the_tickets_without_a_deadline_costs_one_query_more(
    client: Client, eduardo, seven
):
    order = list(queue_tickets(user=eduardo, filters=QueueFilters(), now=timezone.now()))
    client.force_login(eduardo)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/tickets/queue/?after={QueueKey.of(order[2]).encode()}")
    assert response.status_code == 200
    assert subjects(response.content.decode()) == [ticket.subject for ticket in order[3:]]
    assert len(captured.captured_queries) == 11
