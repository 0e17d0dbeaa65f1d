"""This session's new endpoints and parameters, probed as an attacker would: every answer
is a page, a redirect, a 400 or a 404 (never a 500), and another organization's customer
learns nothing (404) about a ticket, its earlier pages, its row menus or its thumbnails.

Keyset keys and cursors (queue `after`/`before`, portal lists `after`/`before`, the API's
`cursor`), row menus (`part`), earlier replies and history, thumbnails and the favicon.
"""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import Client

from helpdesk.keyset import cursor_of
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # beyond 64 bits
NUL = "a\x00b"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


NASTY_KEYS = [
    "",
    NUL,
    HUGE,
    "-" + HUGE,
    f"{HUGE}.{HUGE}.{HUGE}",
    "1.2",
    "1.2.3.4",
    "x.y.z",
    "9" * 400,
    "%00",
    _b64('["2026-01-01T00:00:00+00:00", 99999999999999999999]'),
    _b64('["99999-01-01T00:00:00+00:00", 1]'),
    _b64('["not a date", 1]'),
    _b64("{}"),
    _b64("[]"),
    _b64("[null, null]"),
    "@@@",
    # Nested 1,500 deep: json.loads raises RecursionError (was a 500 on the portal lists).
    base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("="),
]


def ok_or_refused(response) -> None:
    assert response.status_code in (200, 302, 400, 404), (response.status_code, response)


@pytest.fixture
def world():
    mine = CustomerFactory(organization=OrganizationFactory())
    other = CustomerFactory(organization=OrganizationFactory())
    ticket = make_ticket(mine)
    return {"mine": mine, "other": other, "ticket": ticket, "engineer": EngineerFactory()}


@pytest.mark.parametrize("key", NASTY_KEYS)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_queue_and_portal_keys(client: Client, world, key, direction):
    client.force_login(world["engineer"])
    ok_or_refused(client.get("/tickets/queue/", {direction: key}))
    ok_or_refused(client.get("/tickets/queue/", {direction: key, "sort": "priority"}))
    ok_or_refused(client.get("/tickets/", {"scope": "all", direction: key}))
    for sort in ("activity", "created", "priority"):
        ok_or_refused(client.get("/tickets/", {"scope": "all", "sort": sort, direction: key}))
    client.force_login(world["mine"])
    ok_or_refused(client.get("/tickets/", {direction: key}))
    ok_or_refused(client.get("/tickets/", {"scope": "organization", direction: key}))
    ticket = world["ticket"].pk
    ok_or_refused(client.get(f"/tickets/{ticket}/conversation/", {direction: key}))
    ok_or_refused(client.get(f"/tickets/{ticket}/history/", {direction: key}))


@pytest.mark.parametrize("key", NASTY_KEYS)
def test_api_cursor(client: Client, world, key):
    client.force_login(world["engineer"])
    ok_or_refused(client.get("/api/v1/tickets/", {"cursor": key}))
    ok_or_refused(client.get("/api/v1/tickets/", {"cursor": key, "page_size": HUGE}))


@pytest.mark.parametrize("part", ["", "actions", "reply", NUL, HUGE, "../reply", "actions\n"])
def test_row_menu_parts(client: Client, world, part):
    client.force_login(world["engineer"])
    response = client.get(f"/tickets/queue/{world['ticket'].pk}/menu/", {"part": part})
    ok_or_refused(response)
    if part in ("actions", "reply"):
        assert response.status_code == 200


def test_another_organization_learns_nothing(client: Client, world):
    ticket = world["ticket"].pk
    client.force_login(world["other"])
    for path in (
        f"/tickets/{ticket}/",
        f"/tickets/{ticket}/conversation/",
        f"/tickets/{ticket}/history/",
        f"/tickets/{ticket}/conversation/?after=1",
    ):
        assert client.get(path).status_code == 404, path
    # Row menus are staff-only: a customer is not told the ticket exists either way.
    # Row menus are staff-only: a customer gets the same answer for this ticket as for one
    # that does not exist.
    response = client.get(f"/tickets/queue/{ticket}/menu/", {"part": "actions"})
    missing = client.get(f"/tickets/queue/{ticket + 1000}/menu/", {"part": "actions"})
    assert response.status_code in (302, 403, 404)
    assert response.status_code == missing.status_code
    assert f"#{ticket}" not in response.content.decode()
    # The API list as the other customer never shows the ticket, whatever the cursor.
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 200
    assert ticket not in [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("pk", ["0", "1", HUGE])
def test_thumbnails_of_missing_or_huge_ids(client: Client, world, pk):
    client.force_login(world["engineer"])
    ok_or_refused(client.get(f"/tickets/attachments/{pk}/thumbnail/"))
    ok_or_refused(client.get(f"/tickets/{pk}/conversation/"))
    ok_or_refused(client.get(f"/tickets/queue/{pk}/menu/", {"part": "actions"}))


def test_favicon_points_at_the_static_icon_for_anyone(client: Client):
    # The static file itself is served by WhiteNoise (a browser test loads it).
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("img/favicon.ico")


def test_a_ticket_that_leaves_the_list_between_the_two_keyset_reads_is_skipped(client, world):
    """The priority sort reads a later page's ids, then their rows: a ticket closed in
    between (here, by a statement slipped in after the id query) is left out, not a 500."""
    mine = world["mine"]
    tickets = [make_ticket(mine) for _ in range(3)]
    cursor = cursor_of(tickets[-1], ordering=("priority", "-last_activity_at", "-id"))
    closed = {"done": False}

    def close_all_after_the_id_query(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('SELECT "tickets_ticket"."id" AS "pk"') and not closed["done"]:
            closed["done"] = True
            Ticket.objects.update(status=Status.CLOSED)
        return result

    client.force_login(mine)
    with connection.execute_wrapper(close_all_after_the_id_query):
        response = client.get(
            "/tickets/",
            {"scope": "organization", "status": "active", "sort": "priority", "after": cursor},
        )
    assert closed["done"], "the page did not read ids first: the test no longer tests the race"
    assert response.status_code == 200
