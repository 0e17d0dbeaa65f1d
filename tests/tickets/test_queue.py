"""The engineers' queue: time-to-breach order, filters, views, actions, no lost updates."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Tier
from sla.explain import format_duration
from sla.models import Metric
from tests.factories import (
    CustomerFactory,
    EngineerFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.tickets.helpers import make_ticket
from tickets.models import Channel, EventKind, Product, SavedView, Status, Ticket
from tickets.queue import QueueFilters, queue_counts, queue_tickets, sla_countdown
from tickets.services import comment_add, ticket_assign, ticket_change_status

pytestmark = pytest.mark.django_db

P1 = {"impact": "high", "urgency": "high"}
P2 = {"impact": "medium", "urgency": "high"}
P3 = {"impact": "low", "urgency": "high"}
P4 = {"impact": "low", "urgency": "low"}


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def premium():
    return OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")


@pytest.fixture
def community():
    return OrganizationFactory(
        name="Priya Community", tier=Tier.COMMUNITY, time_zone="Asia/Kolkata"
    )


@pytest.fixture
def grace(premium):
    return CustomerFactory(organization=premium, email="grace@globex.example")


@pytest.fixture
def priya(community):
    return CustomerFactory(organization=community, email="priya@community.example")


@pytest.fixture
def eduardo():
    return EngineerFactory(first_name="Eduardo", last_name="Engineer")


@pytest.fixture
def emma():
    return EngineerFactory(first_name="Emma", last_name="Engineer")


@pytest.fixture
def board(grace, priya):
    """One ticket in each SLA state, created out of queue order."""
    return {
        "future": make_ticket(grace, subject="Future P4", at=ago(minutes=5), **P4),
        "community_new": make_ticket(priya, subject="Community newer", at=ago(hours=1), **P4),
        "breached": make_ticket(grace, subject="Breached P1", at=ago(hours=1), **P1),
        "community_old": make_ticket(priya, subject="Community older", at=ago(hours=5), **P4),
        "at_risk": make_ticket(grace, subject="At risk P3", at=ago(hours=3, minutes=10), **P3),
    }


def queue_subjects(client: Client, query: str = "") -> list[str]:
    html = client.get(f"/tickets/queue/?{query}").content.decode()
    return re.findall(r'<td class="subject"><a href="[^"]+">([^<]+)</a>', html)


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


# --- order ---------------------------------------------------------------------------------


def test_queue_orders_breached_then_at_risk_then_future_then_no_clock_oldest_first(
    client, eduardo, board
):
    login(client, eduardo)
    assert queue_subjects(client) == [
        "Breached P1",
        "At risk P3",
        "Future P4",
        "Community older",
        "Community newer",
    ]


def test_solved_tickets_leave_the_default_queue(client, eduardo, board):
    ticket_change_status(ticket=board["breached"], actor=eduardo, status=Status.SOLVED)
    login(client, eduardo)
    assert "Breached P1" not in queue_subjects(client)
    assert "Breached P1" in queue_subjects(client, "status=solved")
    assert "Breached P1" in queue_subjects(client, "status=any")


def test_rows_show_the_countdown_in_business_time(client, eduardo, board):
    login(client, eduardo)
    html = client.get("/tickets/queue/").content.decode()
    assert re.search(r"overdue by 4\d min around the clock", html)  # Premium P1: 24x7
    assert re.search(r"4\d min left", html)  # at risk: 4 h target, 3 h 10 min gone
    assert "best effort" in html
    assert "Globex" in html and "Premium" in html


def test_countdown_skips_closed_business_hours():
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    customer = CustomerFactory(organization=org)
    # Friday 16:30 local, P2 (3 business hours): 30 min on Friday, due Monday 10:30.
    friday = datetime.datetime(2026, 3, 6, 19, 30, tzinfo=datetime.UTC)
    ticket = make_ticket(customer, at=friday, **P2)
    ticket = queue_tickets(user=EngineerFactory(), filters=QueueFilters(), now=friday).get()
    saturday = friday + datetime.timedelta(days=1)
    assert sla_countdown(ticket, now=saturday).text == "2 h 30 min left of business hours"


def test_durations_in_words_read_naturally():
    def words(**kwargs):
        return format_duration(datetime.timedelta(**kwargs), style="words")

    assert words(minutes=42) == "42 min"
    assert words(hours=1, minutes=10) == "1 h 10 min"
    assert words(hours=26) == "26 h"


# --- filters -------------------------------------------------------------------------------


def test_filter_by_status(client, eduardo, board):
    ticket_change_status(ticket=board["future"], actor=eduardo, status=Status.ON_HOLD)
    login(client, eduardo)
    assert queue_subjects(client, "status=on_hold") == ["Future P4"]


def test_filter_by_priority_takes_several(client, eduardo, board):
    login(client, eduardo)
    assert queue_subjects(client, "priority=P1&priority=P3") == ["Breached P1", "At risk P3"]


def test_filter_by_tier(client, eduardo, board):
    login(client, eduardo)
    assert queue_subjects(client, "tier=community") == ["Community older", "Community newer"]


def test_filter_by_organization(client, eduardo, board, premium):
    login(client, eduardo)
    assert queue_subjects(client, f"organization={premium.pk}") == [
        "Breached P1",
        "At risk P3",
        "Future P4",
    ]


def test_filter_by_assignee_me_unassigned_anyone_and_an_engineer(client, eduardo, emma, board):
    ticket_assign(ticket=board["future"], actor=eduardo, assignee=eduardo)
    ticket_assign(ticket=board["breached"], actor=emma, assignee=emma)
    login(client, eduardo)
    assert queue_subjects(client, "assignee=me") == ["Future P4"]
    assert queue_subjects(client, f"assignee={emma.pk}") == ["Breached P1"]
    assert "Future P4" not in queue_subjects(client, "assignee=unassigned")
    assert "Breached P1" not in queue_subjects(client, "assignee=unassigned")
    assert len(queue_subjects(client, "assignee=anyone")) == 5


def test_filter_by_sla_state(client, eduardo, board):
    login(client, eduardo)
    assert queue_subjects(client, "sla=breached") == ["Breached P1"]
    assert queue_subjects(client, "sla=at_risk") == ["At risk P3"]


def test_filter_by_channel(client, eduardo, grace, board):
    make_ticket(grace, subject="Phoned in", channel=Channel.PHONE, created_by=eduardo)
    login(client, eduardo)
    assert queue_subjects(client, "channel=phone") == ["Phoned in"]


def test_filter_by_product(client, eduardo, grace, board):
    product = Product.objects.create(name="Backup Server")
    make_ticket(grace, subject="About the server", product=product)
    login(client, eduardo)
    assert queue_subjects(client, f"product={product.pk}") == ["About the server"]


def test_text_search_in_subject_and_by_reference(client, eduardo, board):
    login(client, eduardo)
    assert queue_subjects(client, "q=risk") == ["At risk P3"]
    assert queue_subjects(client, f"q=%23{board['future'].pk}") == ["Future P4"]


def test_filters_combine(client, eduardo, board, premium):
    login(client, eduardo)
    query = f"organization={premium.pk}&priority=P1&priority=P4&assignee=unassigned&q=P4"
    assert queue_subjects(client, query) == ["Future P4"]


def test_unknown_filter_values_are_ignored(client, eduardo, board):
    login(client, eduardo)
    assert len(queue_subjects(client, "priority=P9&assignee=nobody&sla=soon&product=x")) == 5


# --- views and counts ----------------------------------------------------------------------


def test_builtin_views_are_always_there_with_counts(client, eduardo, board):
    ticket_assign(ticket=board["future"], actor=eduardo, assignee=eduardo)
    login(client, eduardo)
    html = client.get("/tickets/queue/").content.decode()
    counts = dict(re.findall(r'data-view="([\w-]+)">(\d+)<', html))
    assert counts == {"all": "5", "mine": "1", "unassigned": "1", "at_risk": "1", "breached": "1"}
    for name in ("My open", "Unassigned P1/P2", "At risk"):
        assert name in html


def test_saved_view_is_kept_per_user_and_counted(client, eduardo, emma, board, premium):
    login(client, eduardo)
    response = client.post(
        "/tickets/queue/views/",
        {"name": "Globex P1", "query": f"organization={premium.pk}&priority=P1"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=eduardo)
    assert view.name == "Globex P1"
    html = client.get("/tickets/queue/").content.decode()
    assert f'data-view="saved-{view.pk}">1<' in html
    assert queue_subjects(client, view.query) == ["Breached P1"]
    login(client, emma)
    assert "Globex P1" not in client.get("/tickets/queue/").content.decode()


def test_saved_view_can_be_removed_only_by_its_owner(client, eduardo, emma):
    view = SavedView.objects.create(user=eduardo, name="Mine", query="assignee=me")
    login(client, emma)
    client.post(f"/tickets/queue/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()
    login(client, eduardo)
    client.post(f"/tickets/queue/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_counts_take_one_query(eduardo, board, django_assert_max_num_queries):
    queries = {"a": "", "b": "assignee=me", "c": "sla=at_risk", "d": "status=any&q=P1"}
    with django_assert_max_num_queries(1):
        counts = queue_counts(user=eduardo, queries=queries, now=timezone.now())
    assert {key: count.value for key, count in counts.items()} == {"a": 5, "b": 0, "c": 1, "d": 1}


# --- actions and their timeline events -----------------------------------------------------


def test_take_assigns_to_me_and_records_it(client, eduardo, board):
    ticket = board["breached"]
    login(client, eduardo)
    response = client.post(f"/tickets/queue/{ticket.pk}/take/", {"version": ticket.version})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == eduardo
    event = ticket.events.get(kind=EventKind.ASSIGNEE_CHANGED)
    assert event.actor == eduardo and event.data["to"] == str(eduardo)


def test_take_from_the_queue_with_htmx_returns_the_refreshed_queue(client, eduardo, board):
    ticket = board["breached"]
    login(client, eduardo)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/take/",
        {"version": ticket.version, "from": "queue", "filters": "assignee=me"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="queue"' in html and "<html" not in html
    assert "You took" in html
    assert re.findall(r'<td class="subject"><a href="[^"]+">([^<]+)</a>', html) == ["Breached P1"]


def test_assign_to_an_engineer(client, eduardo, emma, board):
    ticket = board["future"]
    login(client, eduardo)
    client.post(f"/tickets/queue/{ticket.pk}/assign/", {"version": 1, "assignee": emma.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == emma
    assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED, actor=eduardo).exists()


def test_assign_refuses_a_customer(client, eduardo, grace, board):
    ticket = board["future"]
    login(client, eduardo)
    client.post(f"/tickets/queue/{ticket.pk}/assign/", {"version": 1, "assignee": grace.pk})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_change_status(client, eduardo, board):
    ticket = board["future"]
    login(client, eduardo)
    client.post(f"/tickets/queue/{ticket.pk}/status/", {"version": 1, "status": "pending_customer"})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    event = ticket.events.get(kind=EventKind.STATUS_CHANGED)
    assert event.data == {"from": "new", "to": "pending_customer"} and event.actor == eduardo


def test_reclassify_needs_a_reason(client, eduardo, board):
    ticket = board["future"]
    login(client, eduardo)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/priority/", {"version": 1, "priority": "P2", "reason": ""}
    )
    ticket.refresh_from_db()
    assert ticket.priority == "P4"
    assert "Say why the priority changes." in client.get(response.url).content.decode()


def test_reclassify_recomputes_the_deadline_and_records_who_and_why(client, eduardo, board):
    ticket = board["future"]
    old_due = ticket.sla_due_at
    login(client, eduardo)
    client.post(
        f"/tickets/queue/{ticket.pk}/priority/",
        {"version": 1, "priority": "P2", "reason": "Whole site down"},
    )
    ticket.refresh_from_db()
    assert ticket.priority == "P2" and ticket.sla_due_at < old_due
    event = ticket.events.get(kind=EventKind.PRIORITY_RECLASSIFIED)
    assert event.data["reason"] == "Whole site down" and event.actor == eduardo


def test_public_reply_meets_first_response_and_internal_note_does_not(client, eduardo, board):
    ticket = board["at_risk"]
    login(client, eduardo)
    client.post(f"/tickets/{ticket.pk}/reply/", {"body": "Looking", "is_public": "0"})
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert clock.met_at is None
    assert ticket.events.filter(kind=EventKind.NOTE_ADDED, is_public=False).exists()
    client.post(f"/tickets/{ticket.pk}/reply/", {"body": "On it", "is_public": "1"})
    clock.refresh_from_db()
    assert clock.met_at is not None
    assert ticket.events.filter(kind=EventKind.REPLY_ADDED).exists()
    html = client.get("/tickets/queue/?status=any").content.decode()
    row = html.split("At risk P3")[1].split("</tr>")[0]
    assert ">met<" in row


def test_bulk_assign_and_status(client, eduardo, emma, board):
    picked = [board["future"], board["at_risk"]]
    data = {"ids": [t.pk for t in picked], "bulk_assignee": emma.pk, "bulk_status": "open"}
    data.update({f"version_{t.pk}": t.version for t in picked})
    login(client, eduardo)
    client.post("/tickets/queue/bulk/", data)
    for ticket in picked:
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.status) == (emma, Status.OPEN)
        assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).exists()
        assert ticket.events.filter(kind=EventKind.STATUS_CHANGED).exists()
    assert Ticket.objects.get(pk=board["breached"].pk).assignee is None


def test_bulk_skips_a_stale_ticket_and_changes_the_rest(client, eduardo, emma, board):
    stale, fresh = board["future"], board["at_risk"]
    ticket_assign(ticket=stale, actor=emma, assignee=emma)
    data = {
        "ids": [stale.pk, fresh.pk],
        "bulk_assignee": "me",
        f"version_{stale.pk}": 1,
        f"version_{fresh.pk}": 1,
    }
    login(client, eduardo)
    response = client.post("/tickets/queue/bulk/", data, follow=True)
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.assignee == emma and fresh.assignee == eduardo
    assert "changed by Emma Engineer" in response.content.decode()


# --- no lost updates -----------------------------------------------------------------------


def test_two_engineers_take_the_same_ticket_one_wins_the_other_is_told(eduardo, emma, board):
    ticket = board["breached"]
    first, second = login(Client(), eduardo), login(Client(), emma)
    seen = ticket.version
    first.post(f"/tickets/queue/{ticket.pk}/take/", {"version": seen})
    response = second.post(f"/tickets/queue/{ticket.pk}/take/", {"version": seen}, follow=True)
    ticket.refresh_from_db()
    assert ticket.assignee == eduardo
    assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).count() == 1
    html = response.content.decode()
    assert "was changed by Eduardo Engineer since you opened it" in html
    assert "Assignee changed from nobody to Eduardo Engineer." in html
    assert "Nothing was saved" in html


def test_stale_status_change_names_every_change_since(client, eduardo, emma, board):
    ticket = board["future"]
    ticket_assign(ticket=ticket, actor=emma, assignee=emma)
    comment_add(ticket=ticket, author=emma, body="Reply", is_public=True)
    login(client, eduardo)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/status/", {"version": 1, "status": "on_hold"}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # Emma's reply opened it; Eduardo's change refused
    html = response.content.decode()
    assert "Assignee changed from nobody to Emma Engineer." in html
    assert "Public reply added." in html


def test_stale_reclassify_is_refused(client, eduardo, emma, board):
    ticket = board["future"]
    ticket_assign(ticket=ticket, actor=emma, assignee=emma)
    login(client, eduardo)
    client.post(
        f"/tickets/queue/{ticket.pk}/priority/", {"version": 1, "priority": "P1", "reason": "x"}
    )
    ticket.refresh_from_db()
    assert ticket.priority == "P4"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("take", {}),
        ("assign", {}),
        ("status", {"status": "on_hold"}),
        ("priority", {"priority": "P1", "reason": "Site down"}),
    ],
)
def test_a_queue_action_without_the_version_is_refused_not_forced(
    client, eduardo, board, action, data
):
    ticket = board["future"]
    if action == "assign":
        data = {"assignee": eduardo.pk}
    login(client, eduardo)
    response = client.post(f"/tickets/queue/{ticket.pk}/{action}/", data, follow=True)
    assert "reload" in response.content.decode()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.version == ticket.version and fresh.assignee is None


def test_a_queue_reply_needs_no_version(client, eduardo, board):
    ticket = board["future"]
    login(client, eduardo)
    client.post(f"/tickets/queue/{ticket.pk}/reply/", {"body": "On it"})
    assert ticket.comments.filter(body="On it").exists()


def test_bulk_without_a_selected_ticket_version_changes_nothing(client, eduardo, board):
    ticket = board["future"]
    login(client, eduardo)
    data = {"ids": [ticket.pk], "bulk_assignee": "me"}
    response = client.post("/tickets/queue/bulk/", data, follow=True)
    assert "reload" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


# --- presence ------------------------------------------------------------------------------


def test_ticket_page_shows_who_else_has_it_open(eduardo, emma, board):
    ticket = board["future"]
    first, second = login(Client(), eduardo), login(Client(), emma)
    assert "also" not in first.get(f"/tickets/{ticket.pk}/presence/").content.decode()
    html = second.get(f"/tickets/{ticket.pk}/presence/").content.decode()
    assert "Eduardo Engineer also has this ticket open." in html
    page = first.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'hx-get="/tickets/{ticket.pk}/presence/"' in page and "every 20s" in page


def test_presence_expires(eduardo, emma, board, time_machine):
    ticket = board["future"]
    login(Client(), eduardo).get(f"/tickets/{ticket.pk}/presence/")
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=60))
    html = login(Client(), emma).get(f"/tickets/{ticket.pk}/presence/").content.decode()
    assert "Eduardo" not in html


# --- phone tickets -------------------------------------------------------------------------


def phone_data(organization, requester) -> dict[str, object]:
    return {
        "organization": organization.pk,
        "requester": requester.pk,
        "subject": "Called: restore failing",
        "impact": "high",
        "urgency": "high",
        "description": "Customer called at 10:02.",
    }


def test_engineer_logs_a_phone_ticket_for_a_customer(client, eduardo, grace, premium):
    login(client, eduardo)
    response = client.post("/tickets/phone/", phone_data(premium, grace))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.requester, ticket.priority) == (Channel.PHONE, grace, "P1")
    assert ticket.events.get(kind=EventKind.CREATED).actor == eduardo


def test_phone_ticket_refused_for_community_quoting_the_policy(client, eduardo, priya, community):
    login(client, eduardo)
    response = client.post("/tickets/phone/", phone_data(community, priya))
    assert response.status_code == 400
    assert "Community support has no phone channel" in response.content.decode()
    assert not Ticket.objects.exists()


def test_phone_requester_must_belong_to_the_organization(client, eduardo, grace, community):
    login(client, eduardo)
    response = client.post("/tickets/phone/", phone_data(community, grace))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_phone_form_lists_the_organization_members(client, eduardo, grace, premium):
    login(client, eduardo)
    html = client.get(f"/tickets/phone/requesters/?organization={premium.pk}").content.decode()
    assert str(grace) in html


# --- who may --------------------------------------------------------------------------------

STAFF_URLS = [
    ("get", "/tickets/queue/"),
    ("post", "/tickets/queue/{pk}/take/"),
    ("post", "/tickets/queue/{pk}/assign/"),
    ("post", "/tickets/queue/{pk}/status/"),
    ("post", "/tickets/queue/{pk}/priority/"),
    ("post", "/tickets/queue/bulk/"),
    ("post", "/tickets/queue/views/"),
    ("get", "/tickets/{pk}/presence/"),
    ("get", "/tickets/phone/"),
    ("post", "/tickets/phone/"),
    ("get", "/tickets/phone/requesters/"),
]


@pytest.mark.parametrize(("method", "url"), STAFF_URLS)
def test_customers_are_refused(client, grace, board, method, url):
    ticket = board["future"]
    login(client, grace)
    response = getattr(client, method)(url.format(pk=ticket.pk), {"version": 1})
    assert response.status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.version == 1


@pytest.mark.parametrize(("method", "url"), STAFF_URLS)
def test_anonymous_users_go_to_login(client, board, method, url):
    response = getattr(client, method)(url.format(pk=board["future"].pk))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_managers_work_the_queue_too(client, board):
    login(client, ManagerFactory())
    assert client.get("/tickets/queue/").status_code == 200


def test_navigation_and_home_link_the_queue_for_engineers(client, eduardo, grace):
    login(client, eduardo)
    html = client.get("/").content.decode()
    assert html.count('href="/tickets/queue/"') >= 2
    login(client, grace)
    assert 'href="/tickets/queue/"' not in client.get("/").content.decode()


# --- query budget --------------------------------------------------------------------------


def many_tickets(grace, count: int) -> None:
    for index in range(count):
        make_ticket(grace, subject=f"Ticket {index}", at=ago(minutes=index * 7), **P2)


@pytest.mark.parametrize("size", [5, 40])
def test_queue_page_costs_the_same_queries_whatever_the_page_size(
    client, eduardo, emma, grace, priya, size, django_assert_max_num_queries
):
    many_tickets(grace, 40)
    make_ticket(priya, subject="Community")
    SavedView.objects.create(user=eduardo, name="Mine", query="assignee=me")
    SavedView.objects.create(user=eduardo, name="All", query="status=any")
    for ticket in Ticket.objects.all()[:10]:
        ticket_assign(ticket=ticket, actor=emma, assignee=emma)
    login(client, eduardo)
    with django_assert_max_num_queries(12):
        response = client.get(f"/tickets/queue/?size={size}")
    assert response.content.decode().count('class="queue-row') == size


def test_queue_fragment_and_filters_keep_the_budget(
    client, eduardo, grace, django_assert_max_num_queries
):
    many_tickets(grace, 30)
    login(client, eduardo)
    with django_assert_max_num_queries(12):
        client.get("/tickets/queue/?q=Ticket&priority=P2&sla=at_risk", HTTP_HX_REQUEST="true")


# --- demo data -----------------------------------------------------------------------------


def test_seed_demo_fills_the_queue_once_with_every_sla_state(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    count = Ticket.objects.count()
    assert 20 <= count <= 30
    call_command("seed_demo", stdout=StringIO())
    assert Ticket.objects.count() == count
    now = timezone.now()
    open_tickets = Ticket.objects.filter(status__in=["new", "open", "pending_customer", "on_hold"])
    assert open_tickets.filter(sla_due_at__lte=now).exists()  # breached
    assert open_tickets.filter(sla_warn_at__lte=now, sla_due_at__gt=now).exists()  # at risk
    assert Ticket.objects.filter(first_responded_at__isnull=False).exists()  # met, staff replied
    assert Ticket.objects.filter(status=Status.PENDING_CUSTOMER).exists()
    assert Ticket.objects.filter(tier=Tier.COMMUNITY).exists()
    assert Ticket.objects.filter(channel=Channel.PHONE).exists()
