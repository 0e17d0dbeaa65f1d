"""The queue says which time its countdowns count, shows the due instant it sorts by,
and refreshes the countdowns while the page is open (issue item 8)."""

from __future__ import annotations

import re

import pytest
import time_machine

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket, sp

pytestmark = pytest.mark.django_db

P1 = {"impact": "high", "urgency": "high"}
P2 = {"impact": "medium", "urgency": "high"}


@pytest.fixture
def two_breaches():
    """A Standard P2 due Tuesday 12:00 (business hours) and a Premium P1 due Tuesday
    16:15 (24x7): at Wednesday 08:30 the Standard one has been overdue longer in real
    time (20 h 30 min against 16 h 15 min), counted as 5 h 30 min of business hours."""
    standard = CustomerFactory(organization=OrganizationFactory(tier=Tier.STANDARD))
    premium = CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))
    late_standard = make_ticket(standard, at=sp(2026, 3, 10, 9, 0), subject="Standard late", **P2)
    late_premium = make_ticket(premium, at=sp(2026, 3, 10, 16, 0), subject="Premium late", **P1)
    return late_standard, late_premium


def test_queue_says_which_time_each_overdue_count_is_in_and_when_it_was_due(client, two_breaches):
    client.force_login(EngineerFactory(time_zone="America/Sao_Paulo"))
    with time_machine.travel(sp(2026, 3, 11, 8, 30), tick=False):
        response = client.get("/tickets/queue/")
    assert response.status_code == 200
    html = response.content.decode()
    # Sorted by due instant: the Standard ticket (due earlier) first, and the page says so.
    assert html.index("Standard late") < html.index("Premium late")
    assert "overdue by 5 h 30 min of business hours" in html
    assert "was due Tue 10 Mar 2026, 12:00" in html
    assert "overdue by 16 h 15 min around the clock" in html
    assert "was due Tue 10 Mar 2026, 16:15" in html
    assert not re.search(r"breached [\d ]+(h|min) ago", html)  # the old, unlabelled wording


def test_countdowns_endpoint_recomputes_the_cells_now(client, two_breaches):
    late_standard, late_premium = two_breaches
    client.force_login(EngineerFactory(time_zone="America/Sao_Paulo"))
    ids = {"id": [late_standard.pk, late_premium.pk]}
    with time_machine.travel(sp(2026, 3, 10, 11, 0), tick=False):
        before = client.get("/tickets/queue/countdowns/", ids)
    with time_machine.travel(sp(2026, 3, 10, 12, 5), tick=False):
        after = client.get("/tickets/queue/countdowns/", ids)
    assert before.status_code == after.status_code == 200
    cell_before = before.json()["cells"][str(late_standard.pk)]
    cell_after = after.json()["cells"][str(late_standard.pk)]
    assert cell_before["code"] in ("running", "at_risk")
    assert "1 h left of business hours" in cell_before["html"]
    assert cell_after["code"] == "breached"
    assert "overdue by 5 min of business hours" in cell_after["html"]


@pytest.mark.parametrize(
    "query",
    ["id=abc", "id=0", "id=99999999999999999999", "&".join(f"id={n}" for n in range(1, 202))],
)
def test_countdowns_refuse_bad_ids_with_400(client, query):
    client.force_login(EngineerFactory())
    assert client.get(f"/tickets/queue/countdowns/?{query}").status_code == 400


def test_countdowns_are_for_staff_only(client, two_breaches):
    late_standard, _late_premium = two_breaches
    client.force_login(late_standard.requester)
    response = client.get("/tickets/queue/countdowns/", {"id": late_standard.pk})
    assert response.status_code in (302, 403, 404)
    assert b"overdue" not in response.content


def test_countdowns_answer_in_a_fixed_number_of_queries(
    client, two_breaches, django_assert_max_num_queries
):
    client.force_login(EngineerFactory())
    ids = {"id": [ticket.pk for ticket in two_breaches]}
    with django_assert_max_num_queries(6):
        response = client.get("/tickets/queue/countdowns/", ids)
    assert response.status_code == 200
    assert len(response.json()["cells"]) == 2


def test_a_breach_an_hour_away_in_business_time_is_days_away_over_a_weekend(client):
    customer = CustomerFactory(organization=OrganizationFactory(tier=Tier.STANDARD))
    ticket = make_ticket(customer, at=sp(2026, 3, 13, 16, 0), **P2)  # Friday: due Monday 10:00
    client.force_login(EngineerFactory(time_zone="America/Sao_Paulo"))
    with time_machine.travel(sp(2026, 3, 13, 16, 30), tick=False):
        cells = client.get("/tickets/queue/countdowns/", {"id": ticket.pk}).json()["cells"]
    html = cells[str(ticket.pk)]["html"]
    assert "2 h 30 min left of business hours" in html
    assert "due Mon 16 Mar 2026, 10:00" in html
