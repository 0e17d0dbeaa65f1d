"""Ticket facts (the dashboards' narrow rows) follow every service that changes a ticket."""

import datetime
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from sla import reports
from sla.facts import FACT_SOURCES, RebuildResult, ticket_facts_rebuild, ticket_facts_refresh
from sla.models import Metric, SupportPlan, Target, TicketFacts
from sla.monitor import run_monitor
from tests.factories import (
    CustomerFactory,
    EngineerFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.tickets.helpers import make_ticket, sp
from tickets.models import Product, Status, Ticket
from tickets.services import (
    comment_add,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
)

pytestmark = pytest.mark.django_db


def snapshot() -> dict[int, dict]:
    """Every facts row, as values."""
    return {row["ticket_id"]: row for row in TicketFacts.objects.values("ticket_id", *FACT_SOURCES)}


def expected_facts() -> dict[int, dict]:
    """What every ticket's facts should say, read from the sources with the ORM (not with
    the SQL that sla.facts runs)."""
    expected = {}
    for ticket in Ticket.objects.prefetch_related("clocks", "comments"):
        clocks = {clock.metric: clock for clock in ticket.clocks.all()}
        first, resolution = clocks.get(Metric.FIRST_RESPONSE), clocks.get(Metric.RESOLUTION)
        replies = sorted(
            (c for c in ticket.comments.all() if c.by_staff and c.is_public),
            key=lambda c: (c.created_at, c.pk),
        )
        expected[ticket.pk] = {
            "ticket_id": ticket.pk,
            "organization_id": ticket.organization_id,
            "tier": ticket.tier,
            "priority": ticket.priority,
            "product_id": ticket.product_id,
            "assignee_id": ticket.assignee_id,
            "created_at": ticket.created_at,
            "solved_at": ticket.solved_at,
            "first_responder_id": replies[0].author_id if replies else None,
            "first_response_target": first.target if first else None,
            "first_response_met_at": first.met_at if first else None,
            "first_response_breached_at": first.breached_at if first else None,
            "first_response_business_time": first.business_time_to_meet if first else None,
            "resolution_breached_at": resolution.breached_at if resolution else None,
        }
    return expected


@pytest.fixture
def customer():
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    return CustomerFactory(organization=org)


@pytest.fixture
def resolution_target():
    """The Standard plan also sets a 4-business-hour resolution target for P1."""
    Target.objects.create(
        plan=SupportPlan.objects.get(code="standard"),
        priority="P1",
        metric=Metric.RESOLUTION,
        duration=datetime.timedelta(hours=4),
    )


def test_a_new_ticket_has_facts_with_its_first_response_clock(customer):
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0))  # P2 on Standard: 3 business hours
    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.organization_id, facts.tier, facts.priority) == (
        customer.organization_id,
        Tier.STANDARD,
        "P2",
    )
    assert facts.created_at == sp(2026, 3, 9, 8, 0)
    assert facts.first_response_target == datetime.timedelta(hours=3)
    assert (facts.first_response_met_at, facts.first_response_breached_at) == (None, None)
    assert (facts.assignee_id, facts.first_responder_id, facts.solved_at) == (None, None, None)


def test_facts_follow_assignment_reply_solve_and_reopen(customer):
    alice, bob = EngineerFactory(), EngineerFactory()
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0))
    ticket_assign(ticket=ticket, actor=alice, assignee=bob, at=sp(2026, 3, 9, 8, 5))
    assert TicketFacts.objects.get(ticket=ticket).assignee_id == bob.pk
    comment_add(ticket=ticket, author=alice, body="Internal", is_public=False, at=sp(2026, 3, 9, 9))
    assert TicketFacts.objects.get(ticket=ticket).first_responder_id is None
    comment_add(ticket=ticket, author=alice, body="On it", at=sp(2026, 3, 9, 9, 30))
    facts = TicketFacts.objects.get(ticket=ticket)
    assert facts.first_responder_id == alice.pk
    assert facts.first_response_met_at == sp(2026, 3, 9, 9, 30)
    assert facts.first_response_business_time == datetime.timedelta(hours=1, minutes=30)
    ticket_change_status(ticket=ticket, actor=bob, status=Status.SOLVED, at=sp(2026, 3, 9, 11))
    assert TicketFacts.objects.get(ticket=ticket).solved_at == sp(2026, 3, 9, 11)
    comment_add(ticket=ticket, author=customer, body="Still broken", at=sp(2026, 3, 9, 12))
    assert TicketFacts.objects.get(ticket=ticket).solved_at is None


def test_facts_follow_breaches_flagged_by_the_monitor_and_reclassification(
    customer, resolution_target
):
    ticket = make_ticket(customer, at=sp(2026, 3, 9, 8, 0), impact="high", urgency="high")  # P1
    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.priority, facts.first_response_target) == ("P1", datetime.timedelta(hours=1))
    run_monitor(now=sp(2026, 3, 9, 12, 30))  # first response due 9:00, resolution 12:00
    facts = TicketFacts.objects.get(ticket=ticket)
    assert facts.first_response_breached_at == sp(2026, 3, 9, 9, 0)
    assert facts.resolution_breached_at == sp(2026, 3, 9, 12, 0)
    other = make_ticket(customer, at=sp(2026, 3, 10, 8, 0))  # P2: 3 hours
    with time_machine.travel(sp(2026, 3, 10, 8, 30), tick=False):
        ticket_change_priority(ticket=other, actor=EngineerFactory(), priority="P4", reason="Q")
    facts = TicketFacts.objects.get(ticket=other)
    assert (facts.priority, facts.first_response_target) == ("P4", datetime.timedelta(hours=24))


def test_resolution_breaches_count_on_the_dashboard(customer, resolution_target):
    make_ticket(customer, at=sp(2026, 3, 9, 8, 0), impact="high", urgency="high")
    run_monitor(now=sp(2026, 3, 9, 12, 30))
    filters = reports.ReportFilters(
        start=datetime.date(2026, 3, 9), end=datetime.date(2026, 3, 15), zone="America/Sao_Paulo"
    )
    assert reports.breaches_per_week(filters).rows == [[datetime.date(2026, 3, 9), 2]]
    assert reports.top_organizations(filters).rows == [[customer.organization.name, "Standard", 2]]
    # Attainment is about first response only: one ticket, breached.
    assert reports.attainment(filters, by="priority").rows == [["P1", 1, 0, 1, 0, 0.0]]


def test_an_admin_product_change_reaches_the_facts(client, customer):
    ticket = make_ticket(customer)
    product = Product.objects.create(name="Backup Agent")
    admin = ManagerFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        {
            "product": product.pk,
            "component": "agent",
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TicketFacts.objects.get(ticket=ticket).product_id == product.pk


def test_rebuilding_finds_nothing_to_change_after_a_busy_history(customer, resolution_target):
    alice = EngineerFactory()
    tickets = [
        make_ticket(customer, at=sp(2026, 3, 9, 8, minute), impact=impact, urgency="high")
        for minute, impact in ((0, "high"), (10, "medium"), (20, "low"))
    ]
    ticket_assign(ticket=tickets[0], actor=alice, assignee=alice, at=sp(2026, 3, 9, 8, 30))
    comment_add(ticket=tickets[1], author=alice, body="Here", at=sp(2026, 3, 9, 9))
    ticket_change_status(
        ticket=tickets[1], actor=alice, status=Status.SOLVED, at=sp(2026, 3, 9, 10)
    )
    with time_machine.travel(sp(2026, 3, 9, 9, 30), tick=False):
        ticket_change_priority(ticket=tickets[2], actor=alice, priority="P1", reason="Outage")
    run_monitor(now=sp(2026, 3, 9, 14, 0))
    kept = snapshot()
    assert set(kept) == {ticket.pk for ticket in tickets}
    assert ticket_facts_rebuild(batch_size=2) == RebuildResult(tickets=3, repaired=0)
    assert snapshot() == kept
    assert kept == expected_facts()  # and the facts say what the sources say


def test_rebuild_restores_lost_or_wrong_facts(customer):
    tickets = [make_ticket(customer) for _ in range(3)]
    kept = snapshot()
    TicketFacts.objects.filter(ticket=tickets[0]).delete()
    TicketFacts.objects.filter(ticket=tickets[1]).update(priority="P4", solved_at=sp(2026, 1, 1))
    assert ticket_facts_rebuild(batch_size=2) == RebuildResult(tickets=3, repaired=2)
    assert snapshot() == kept
    ticket_facts_refresh(ticket_ids=[])  # nothing to do is fine


def test_the_rebuild_command_repairs_and_reports(customer):
    tickets = [make_ticket(customer) for _ in range(3)]
    kept = snapshot()
    TicketFacts.objects.filter(ticket=tickets[2]).delete()
    out = StringIO()
    call_command("rebuild_ticket_facts", batch_size=2, stdout=out)
    assert "Recomputed the facts of 3 tickets" in out.getvalue()
    assert "1 rows were missing or stale" in out.getvalue()
    assert snapshot() == kept


def test_the_migration_backfill_fills_what_the_services_would(customer):
    alice = EngineerFactory()
    tickets = [make_ticket(customer, at=sp(2026, 3, 9, 8, minute)) for minute in range(3)]
    comment_add(ticket=tickets[0], author=alice, body="Here", at=sp(2026, 3, 9, 9))
    ticket_change_status(
        ticket=tickets[0], actor=alice, status=Status.SOLVED, at=sp(2026, 3, 9, 10)
    )
    run_monitor(now=sp(2026, 3, 9, 14, 0))
    kept = snapshot()
    TicketFacts.objects.all().delete()
    migration = import_module("sla.migrations.0008_ticketfacts_backfill")
    state = MigrationExecutor(connection).loader.project_state(("sla", "0008_ticketfacts_backfill"))
    migration.BATCH = 2  # several batches
    try:
        migration.backfill(state.apps, connection.schema_editor())
    finally:
        migration.BATCH = 2000
    assert snapshot() == kept


def test_every_metric_has_its_breach_on_the_facts():
    # Breaches per week and top organizations count every metric's breach column.
    assert {f"{metric}_breached_at" for metric in Metric.values} == set(reports.BREACH_COLUMNS)
    assert set(reports.BREACH_COLUMNS) <= set(FACT_SOURCES)


def test_sample_data_comes_with_its_facts():
    call_command("load_sample_data", tickets=60, organizations=6, engineers=2, stdout=StringIO())
    kept = snapshot()
    assert len(kept) == Ticket.objects.count() == 60
    assert any(row["first_response_breached_at"] for row in kept.values())
    assert kept == expected_facts()


def _facts_writes(queries) -> int:
    return sum("INSERT INTO sla_ticketfacts" in query["sql"] for query in queries)


@pytest.mark.parametrize("by_staff", [True, False])
def test_a_reply_refreshes_the_facts_exactly_once(customer, by_staff):
    """The first staff reply meets a clock, moves the status and saves the ticket: the
    facts are refreshed once, at the end of the service, not after each of those."""
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0))
    author = EngineerFactory() if by_staff else customer
    with CaptureQueriesContext(connection) as queries:
        comment = comment_add(ticket=ticket, author=author, body="On it", at=sp(2026, 3, 10, 9, 5))
    assert comment.pk is not None
    assert _facts_writes(queries.captured_queries) == 1
    assert snapshot() == expected_facts()


def test_solving_and_reclassifying_refresh_the_facts_once_each(customer):
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0))
    engineer = EngineerFactory()
    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_change_priority(
            ticket=ticket, actor=engineer, priority="P1", reason="Outage", at=sp(2026, 3, 10, 9, 1)
        )
    assert ticket.priority == "P1"
    assert _facts_writes(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_change_status(
            ticket=ticket, actor=engineer, status=Status.SOLVED, at=sp(2026, 3, 10, 9, 2)
        )
    assert ticket.status == Status.SOLVED
    assert _facts_writes(queries.captured_queries) == 1
    assert snapshot() == expected_facts()
