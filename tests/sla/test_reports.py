"""Dashboard figures from a small known history, asserted exactly (SQL on SQLite and PG)."""

import csv
import dataclasses
import datetime
import io
import math
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from accounts.models import Tier
from sla import reports
from sla.clocks import clock_flag_breached
from sla.models import Metric, TicketFacts
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Status
from tickets.services import comment_add, ticket_assign, ticket_change_status

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime.datetime(2026, 3, 12, 12, 0, tzinfo=NY)
FEB_23, MAR_2, MAR_9 = (
    datetime.date(2026, 2, 23),
    datetime.date(2026, 3, 2),
    datetime.date(2026, 3, 9),
)


def ny(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NY)


@pytest.fixture
def history():
    """Premium (24x7, New York) and Standard (São Paulo) tickets around the DST change."""
    premium = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    standard = OrganizationFactory(name="Acme", tier=Tier.STANDARD, time_zone="America/Sao_Paulo")
    grace, ana = CustomerFactory(organization=premium), CustomerFactory(organization=standard)
    alice = EngineerFactory(email="alice@helpdesk.example", first_name="Alice", last_name="Almeida")
    bob = EngineerFactory(email="bob@helpdesk.example", first_name="Bob", last_name="Barros")
    # T1: P1 answered in 10 min (target 15), solved after 2 h.
    t1 = make_ticket(grace, at=ny(2026, 3, 2, 10, 0), impact="high", urgency="high")
    comment_add(ticket=t1, author=alice, body="On it", at=ny(2026, 3, 2, 10, 10))
    ticket_change_status(ticket=t1, actor=alice, status=Status.SOLVED, at=ny(2026, 3, 2, 12, 0))
    # T2: P1 answered after 30 min: breached at 10:15, met late.
    t2 = make_ticket(grace, at=ny(2026, 3, 3, 10, 0), impact="high", urgency="high")
    ticket_assign(ticket=t2, actor=bob, assignee=bob, at=ny(2026, 3, 3, 10, 1))
    comment_add(ticket=t2, author=bob, body="Sorry", at=ny(2026, 3, 3, 10, 30))
    # T3: P2 filed Sunday 21:00 (after the DST change), never answered: due 22:00 local,
    # which is Monday 02:00 UTC: a breach of the week of 2 March in New York.
    t3 = make_ticket(grace, at=ny(2026, 3, 8, 21, 0), impact="medium", urgency="high")
    clock = t3.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert clock.due_at == datetime.datetime(2026, 3, 9, 2, 0, tzinfo=datetime.UTC)
    clock_flag_breached(clock_id=clock.pk, at=ny(2026, 3, 8, 22, 1))
    # T4: Standard P3 answered after 2 business hours of 8, solved a day later.
    t4 = make_ticket(
        ana, at=datetime.datetime(2026, 3, 9, 9, 0, tzinfo=SP), impact="medium", urgency="medium"
    )
    comment_add(
        ticket=t4, author=alice, body="Here", at=datetime.datetime(2026, 3, 9, 11, 0, tzinfo=SP)
    )
    ticket_change_status(
        ticket=t4, actor=alice, status=Status.SOLVED,
        at=datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SP),
    )  # fmt: skip
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "premium": premium}


@pytest.fixture
def filters():
    return reports.ReportFilters(
        start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 14), zone="America/New_York"
    )


def test_business_time_to_meet_is_recorded(history):
    clock = history["t4"].clocks.get(metric=Metric.FIRST_RESPONSE)
    assert clock.business_time_to_meet == datetime.timedelta(hours=2)


def test_attainment_by_tier_and_priority(history, filters):
    by_tier = reports.attainment(filters, by="tier").rows
    assert by_tier == [["Premium", 3, 1, 2, 0, 33.3], ["Standard", 1, 1, 0, 0, 100.0]]
    by_priority = reports.attainment(filters, by="priority").rows
    assert by_priority == [["P1", 2, 1, 1, 0, 50.0], ["P2", 1, 0, 1, 0, 0.0],
                           ["P3", 1, 1, 0, 0, 100.0]]  # fmt: skip


def test_breaches_per_week_follow_the_managers_time_zone_across_dst(history, filters):
    rows = reports.breaches_per_week(filters).rows
    assert rows == [[FEB_23, 0], [MAR_2, 2], [MAR_9, 0]]
    in_utc = reports.ReportFilters(start=filters.start, end=filters.end, zone="UTC")
    assert reports.breaches_per_week(in_utc).rows == [[FEB_23, 0], [MAR_2, 1], [MAR_9, 1]]


def test_opened_and_solved_per_week(history, filters):
    assert reports.opened_vs_solved_per_week(filters).rows == [
        [FEB_23, 0, 0], [MAR_2, 3, 1], [MAR_9, 1, 1],
    ]  # fmt: skip


def test_first_response_distribution_as_share_of_target(history, filters):
    table = reports.first_response_distribution(filters)
    assert table.headers[1:] == ["≤25%", "25–50%", "50–75%", "75–100%", "100–150%", ">150%"]
    assert table.rows == [["P1", 0, 0, 1, 0, 0, 1], ["P3", 1, 0, 0, 0, 0, 0]]


def test_median_and_90th_percentile_response_and_resolution(history, filters):
    rows = reports.response_times(filters).rows
    assert rows == [
        ["P1", 2, "10m", "30m", 1, "2h", "2h"],
        ["P3", 1, "2h", "2h", 1, "24h", "24h"],
    ]


def test_top_organizations_and_engineers_by_name_as_the_other_tables_show_people(history, filters):
    assert reports.top_organizations(filters).rows == [["Globex", "Premium", 2]]
    assert reports.engineer_performance(filters).rows == [
        ["Alice Almeida", 2, 0],
        ["Bob Barros", 1, 1],
        ["Unassigned", 0, 1],
    ]


def test_now_counts_open_tickets_at_risk_and_breached(history, filters):
    rows = reports.open_sla_by_tier_and_priority(filters, now=NOW).rows
    # T2 is open but answered (no running clock); T3 is open and breached.
    assert rows == [["Premium", "P1", 1, 0, 0], ["Premium", "P2", 1, 0, 1]]


def test_filters_narrow_every_figure(history):
    premium_only = reports.ReportFilters(
        start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 14),
        zone="America/New_York", tier=Tier.STANDARD,
    )  # fmt: skip
    assert reports.attainment(premium_only, by="tier").rows == [["Standard", 1, 1, 0, 0, 100.0]]
    assert reports.top_organizations(premium_only).rows == []


def dashboard_get(client, manager, url):
    manager.time_zone = "America/New_York"
    manager.save()
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


QUERY = "?period=custom&start=2026-03-01&end=2026-03-14"


def test_csv_equals_what_the_page_shows(client, history):
    manager = ManagerFactory()
    page = dashboard_get(client, manager, "/sla/dashboard/" + QUERY)
    assert page.status_code == 200
    for key, table in page.context["tables"].items():
        response = dashboard_get(client, manager, f"/sla/dashboard/{key}.csv" + QUERY)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == table.headers
        assert rows[1:] == [["" if c is None else str(c) for c in row] for row in table.rows]
    html = page.content.decode()
    assert "33.3" in html and "Globex" in html
    assert "<svg" in html


def test_dashboard_is_for_managers_only(client, history):
    for user in (EngineerFactory(), CustomerFactory()):
        client.force_login(user)
        assert client.get("/sla/dashboard/").status_code == 403
        assert client.get("/sla/dashboard/attainment_tier.csv").status_code == 403
    client.logout()
    assert client.get("/sla/dashboard/").status_code == 302


def test_invalid_period_shows_errors_not_500(client):
    manager = ManagerFactory()
    client.force_login(manager)
    response = client.get("/sla/dashboard/?period=custom&start=2026-03-10&end=2026-03-01")
    assert response.status_code == 200
    assert "comes before" in response.content.decode()


def test_dashboard_query_count_is_bounded(client, history, django_assert_num_queries):
    manager = ManagerFactory()
    # Session, user, roles, the filters' choices (3), the monitor, now + its names, the
    # period summary (which the engineers' table folds too), weekly counts, top
    # organizations, the engineers' names, and the percentiles: one PERCENTILE_DISC query
    # on PostgreSQL; elsewhere one OFFSET query per share for each (priority, measure)
    # with values, here P1 and P3 responses and resolutions: 4 x 2.
    expected = 14 if connection.vendor == "postgresql" else 13 + 4 * 2
    dashboard_get(client, manager, "/sla/dashboard/" + QUERY)  # signs in
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(expected):
        assert client.get("/sla/dashboard/" + QUERY).status_code == 200


def test_unknown_csv_table_is_404(client):
    client.force_login(ManagerFactory())
    assert client.get("/sla/dashboard/nonsense.csv").status_code == 404


def test_periods_end_today_and_count_today():
    today = datetime.date(2026, 3, 12)
    last7 = reports.ReportFilters.for_period(period="7", today=today)
    assert (last7.start, last7.end) == (datetime.date(2026, 3, 6), today)
    default = reports.ReportFilters.for_period(period="bogus", today=today)
    assert default.start == datetime.date(2026, 2, 11)
    chosen = reports.ReportFilters.for_period(
        period="custom",
        today=today,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 1, 31),
    )
    assert (chosen.start, chosen.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


def test_the_distribution_chart_marks_the_target_after_75_to_100_percent(client, history):
    from sla import charts

    labels = [label for label, _upper in reports.BUCKETS]
    assert labels[reports.TARGET_BUCKET] == "75–100%"
    svg = charts.bar_chart(
        "Distribution", labels, [("P1", [1, 0, 0, 0, 2, 0])], y_label="first responses",
        target_after=reports.TARGET_BUCKET, target_label="target",
    )  # fmt: skip
    bottom = charts.HEIGHT - charts.BOTTOM  # a vertical line over the whole plot
    line = re.search(
        rf'<line x1="([\d.]+)" y1="{charts.TOP}" x2="\1" y2="{bottom}" class="target"/>', svg
    )
    assert line is not None
    group = (charts.WIDTH - charts.LEFT - charts.RIGHT) / len(labels)
    assert float(line.group(1)) == pytest.approx(charts.LEFT + 4 * group, abs=0.1)
    assert 'class="target-label">target</text>' in svg
    html = dashboard_get(client, ManagerFactory(), "/sla/dashboard/" + QUERY).content.decode()
    assert html.count('class="target"') == 1  # the distribution chart only


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_cells_never_start_a_spreadsheet_formula(client, history):
    """An organization or engineer named like a formula lands as text, prefixed with '."""
    history["premium"].name = '=HYPERLINK("http://evil.example","x")'
    history["premium"].save()
    history["t2"].refresh_from_db()
    bob = history["t2"].assignee
    bob.first_name, bob.last_name = "+SUM(1", "1)"
    bob.save()
    manager = ManagerFactory()
    seen = []
    for key in ("organizations", "load", "engineers", "attainment_tier", "now"):
        response = dashboard_get(client, manager, f"/sla/dashboard/{key}.csv" + QUERY)
        assert response.status_code == 200
        for row in csv.reader(io.StringIO(response.content.decode())):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (key, cell)
                seen.append(cell)
    assert '\'=HYPERLINK("http://evil.example","x")' in seen
    assert "'+SUM(1 1)" in seen


def _nearest_rank(values: list[datetime.timedelta], share: float) -> datetime.timedelta:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def test_percentiles_are_nearest_rank_per_priority_and_follow_the_filters():
    """Many values per priority (facts set directly: this checks the aggregation), some
    outside the period, some of another organization: each priority's median and 90th
    percentile equal the nearest rank computed here, with and without filters."""
    globex, acme = OrganizationFactory(tier=Tier.PREMIUM), OrganizationFactory()
    customers = {
        globex: CustomerFactory(organization=globex),
        acme: CustomerFactory(organization=acme),
    }
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=NY)
    period = reports.ReportFilters(
        start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 8), zone="America/New_York"
    )
    expected: dict[tuple[str, int], list[datetime.timedelta]] = {}
    for index in range(36):
        organization = globex if index % 3 else acme
        ticket = make_ticket(customers[organization], at=start)
        priority = ["P1", "P2", "P3", "P4"][index % 4]
        created = start + datetime.timedelta(hours=index * 5)  # the last few are after Mar 8
        response = datetime.timedelta(minutes=(index * 37) % 101 + 1)
        TicketFacts.objects.filter(pk=ticket.pk).update(
            priority=priority, created_at=created, first_response_business_time=response
        )
        if created < period.until:
            expected.setdefault((priority, 0), []).append(response)
            if organization == globex:
                expected.setdefault((priority, globex.pk), []).append(response)

    def medians_and_p90s(filters: reports.ReportFilters) -> dict[str, tuple]:
        rows = reports.response_times(filters).rows
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def wanted(organization_id: int, priorities: list[str]) -> dict[str, tuple]:
        return {
            priority: (
                len(expected[(priority, organization_id)]),
                *(
                    reports.format_duration(_nearest_rank(expected[(priority, organization_id)], s))
                    for s in (0.5, 0.9)
                ),
            )
            for priority in priorities
        }

    every = ["P1", "P2", "P3", "P4"]
    assert medians_and_p90s(period) == wanted(0, every)
    narrowed = dataclasses.replace(period, organization_id=globex.pk)
    assert medians_and_p90s(narrowed) == wanted(globex.pk, every)
    one = dataclasses.replace(period, organization_id=globex.pk, priority="P3")
    assert medians_and_p90s(one) == wanted(globex.pk, ["P3"])


def test_top_organizations_count_breaches_of_both_metrics_in_the_period():
    """Breaches are counted where their deadline fell, whatever the metric and whenever
    the ticket was created; ties are ordered by name and the list is cut at the limit.
    (Facts set directly: this checks the aggregation.)"""
    period = reports.ReportFilters(
        start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 8), zone="America/New_York"
    )
    inside, outside = ny(2026, 3, 4, 12, 0), ny(2026, 3, 9, 0, 30)
    # name: (first-response breach instants, resolution breach instants), one per ticket
    plan = {
        "Zeta": ([inside, inside], [inside]),  # 3 in the period
        "Alpha": ([inside], [inside, outside]),  # 2
        "Beta": ([outside, inside], [None, inside]),  # 2
        "Gamma": ([inside], []),  # 1: cut by the limit
        "Delta": ([outside], [outside]),  # none in the period
    }
    for name, (first_responses, resolutions) in plan.items():
        organization = OrganizationFactory(name=name, tier=Tier.PREMIUM)
        customer = CustomerFactory(organization=organization)
        for index in range(max(len(first_responses), len(resolutions))):
            ticket = make_ticket(customer, at=ny(2026, 2, 20, 9, 0))
            TicketFacts.objects.filter(pk=ticket.pk).update(
                first_response_breached_at=(first_responses + [None] * 3)[index],
                resolution_breached_at=(resolutions + [None] * 3)[index],
            )
    assert reports.top_organizations(period, limit=3).rows == [
        ["Zeta", "Premium", 3],
        ["Alpha", "Premium", 2],
        ["Beta", "Premium", 2],
    ]
    standard_only = dataclasses.replace(period, tier=Tier.STANDARD)
    assert reports.top_organizations(standard_only).rows == []
