"""The breach monitor flags each crossing once, at the right instant, by the stored times."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Tier
from notifications.models import Notification
from sla import clocks
from sla.models import Metric, MonitorHeartbeat, SLAClock
from sla.monitor import clocks_past_due, clocks_past_warning, run_monitor
from tests.sla.monitor_helpers import Staff, customer_of, premium_p1, run_at, utc
from tests.tickets.helpers import make_ticket
from tickets.models import Event, EventKind
from tickets.services import comment_add, ticket_change_priority

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
SECOND = datetime.timedelta(seconds=1)
TEN = utc(2026, 3, 10, 10, 0)  # a Tuesday


def berlin(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.fixture
def staff() -> Staff:
    return Staff()


def clock_of(ticket) -> SLAClock:
    return SLAClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)


def events(ticket, kind: str) -> int:
    return Event.objects.filter(ticket=ticket, kind=kind).count()


# --- the right instants ----------------------------------------------------------------------


def test_premium_p1_filed_at_10_is_at_risk_at_10_11_15_and_breached_at_10_15(staff):
    ticket = premium_p1(staff, at=TEN)

    assert run_at(utc(2026, 3, 10, 10, 11, 15) - SECOND).at_risk == 0
    assert clock_of(ticket).at_risk_at is None

    result = run_at(utc(2026, 3, 10, 10, 11, 15))
    assert (result.at_risk, result.breached) == (1, 0)
    assert clock_of(ticket).at_risk_at == utc(2026, 3, 10, 10, 11, 15)
    assert events(ticket, EventKind.SLA_AT_RISK) == 1

    assert run_at(utc(2026, 3, 10, 10, 15) - SECOND).breached == 0
    assert clock_of(ticket).breached_at is None

    result = run_at(utc(2026, 3, 10, 10, 15))
    assert (result.at_risk, result.breached) == (0, 1)
    assert clock_of(ticket).breached_at == utc(2026, 3, 10, 10, 15)
    assert events(ticket, EventKind.SLA_BREACHED) == 1
    assert events(ticket, EventKind.SLA_AT_RISK) == 1


def test_standard_p3_filed_friday_1600_in_berlin_is_at_risk_and_breached_on_monday(staff):
    # 8 business hours, Mon-Fri 08:00-17:00 Berlin: 1h on Friday, then 08:00 Monday.
    # At risk when 25% (2h) remain: after 6h = Monday 13:00. Due after 8h = Monday 15:00.
    customer = customer_of(Tier.STANDARD, staff, time_zone="Europe/Berlin", country="DE")
    ticket = make_ticket(customer, at=berlin(2026, 3, 6, 16, 0), impact="medium", urgency="medium")
    assert ticket.priority == "P3"
    clock = clock_of(ticket)
    assert (clock.warn_at, clock.due_at) == (berlin(2026, 3, 9, 13, 0), berlin(2026, 3, 9, 15, 0))

    # Over the weekend nothing happens, business hours being closed.
    assert run_at(berlin(2026, 3, 8, 23, 0)).at_risk == 0
    assert run_at(berlin(2026, 3, 9, 13, 0) - SECOND).at_risk == 0
    assert run_at(berlin(2026, 3, 9, 13, 0)).at_risk == 1
    assert run_at(berlin(2026, 3, 9, 15, 0) - SECOND).breached == 0
    assert run_at(berlin(2026, 3, 9, 15, 0)).breached == 1
    assert clock_of(ticket).breached_at == berlin(2026, 3, 9, 15, 0)


def test_standard_p3_filed_friday_before_whit_monday_breaches_on_tuesday(staff):
    # Whit Monday (25 May 2026) is a public holiday in Germany: Tuesday 13:00 and 15:00.
    customer = customer_of(Tier.STANDARD, staff, time_zone="Europe/Berlin", country="DE")
    ticket = make_ticket(customer, at=berlin(2026, 5, 22, 16, 0), impact="medium", urgency="medium")
    assert run_at(berlin(2026, 5, 25, 16, 0)).at_risk == 0
    assert run_at(berlin(2026, 5, 26, 13, 0) - SECOND).at_risk == 0
    assert run_at(berlin(2026, 5, 26, 13, 0)).at_risk == 1
    assert run_at(berlin(2026, 5, 26, 15, 0) - SECOND).breached == 0
    assert run_at(berlin(2026, 5, 26, 15, 0)).breached == 1
    assert clock_of(ticket).breached_at == berlin(2026, 5, 26, 15, 0)


# --- exactly once ----------------------------------------------------------------------------


def test_running_the_monitor_twice_flags_nothing_twice(staff):
    ticket = premium_p1(staff, at=TEN)
    late = utc(2026, 3, 10, 10, 20)
    first, second = run_at(late), run_at(late)
    assert (first.breached, second.breached) == (1, 0)
    assert run_at(utc(2026, 3, 10, 11, 0)).breached == 0
    assert events(ticket, EventKind.SLA_BREACHED) == 1
    assert Notification.objects.filter(kind="sla_breached").count() == len(
        {staff.mia.pk, staff.adam.pk}
    )


def test_a_clock_found_past_warning_and_due_at_once_is_told_once_as_breached(staff):
    ticket = premium_p1(staff, at=TEN)
    result = run_at(utc(2026, 3, 10, 10, 30))  # the monitor was down for half an hour
    assert (result.breached, result.at_risk) == (1, 0)
    assert events(ticket, EventKind.SLA_AT_RISK) == 0
    assert not Notification.objects.filter(kind="sla_at_risk").exists()


def test_the_conditional_update_lets_one_caller_win(staff):
    ticket = premium_p1(staff, at=TEN)
    clock = clock_of(ticket)
    late = utc(2026, 3, 10, 10, 20)
    assert clocks.clock_flag_breached(clock_id=clock.pk, at=late) is True
    assert clocks.clock_flag_breached(clock_id=clock.pk, at=late) is False
    assert clocks.clock_flag_at_risk(clock_id=clock.pk, generation=1, at=late) is False
    assert events(ticket, EventKind.SLA_BREACHED) == 1


def test_met_on_time_is_never_breached(staff):
    ticket = premium_p1(staff, at=TEN)
    comment_add(ticket=ticket, author=staff.alice, body="Looking now.", at=TEN + 10 * 60 * SECOND)
    assert run_at(utc(2026, 3, 10, 12, 0)).breached == 0
    clock = clock_of(ticket)
    assert clock.met_at is not None and clock.breached_at is None
    assert events(ticket, EventKind.SLA_BREACHED) == 0
    assert not Notification.objects.filter(kind="sla_breached").exists()


def test_a_reply_after_the_monitor_read_the_clock_wins_over_the_breach(staff):
    ticket = premium_p1(staff, at=TEN)
    # The monitor selected the clock as due (it was at 10:15)...
    due_ids = list(clocks_past_due(now=utc(2026, 3, 10, 10, 15)).values_list("pk", flat=True))
    # ...but a reply met it at 10:14:59 before the monitor flagged it.
    comment_add(ticket=ticket, author=staff.alice, body="On it.", at=utc(2026, 3, 10, 10, 14, 59))
    assert clocks.clock_flag_breached(clock_id=due_ids[0], at=utc(2026, 3, 10, 10, 15)) is False
    assert clock_of(ticket).breached_at is None


def test_met_late_stays_breached_and_is_told_once(staff):
    ticket = premium_p1(staff, at=TEN)
    comment_add(ticket=ticket, author=staff.alice, body="Sorry.", at=utc(2026, 3, 10, 10, 20))
    clock = clock_of(ticket)
    assert clock.breached_at == utc(2026, 3, 10, 10, 15)
    assert clock.met_at == utc(2026, 3, 10, 10, 20)
    assert run_at(utc(2026, 3, 10, 10, 21)).breached == 0
    assert events(ticket, EventKind.SLA_BREACHED) == 1
    assert Notification.objects.filter(kind="sla_breached", ticket=ticket).count() == 2


def test_a_priority_change_re_arms_at_risk(staff):
    ticket = premium_p1(staff, at=TEN)
    assert run_at(utc(2026, 3, 10, 10, 12)).at_risk == 1
    # Re-classified P2 (60 min, at risk after 45) before the P1 due time.
    with time_machine.travel(utc(2026, 3, 10, 10, 13), tick=False):
        ticket_change_priority(ticket=ticket, actor=staff.alice, priority="P2", reason="Workaround")
    clock = clock_of(ticket)
    assert (clock.generation, clock.at_risk_at) == (2, None)
    assert clock.warn_at == utc(2026, 3, 10, 10, 45)

    assert run_at(utc(2026, 3, 10, 10, 15)).breached == 0  # the old due time no longer counts
    assert run_at(utc(2026, 3, 10, 10, 45) - SECOND).at_risk == 0
    assert run_at(utc(2026, 3, 10, 10, 45)).at_risk == 1
    assert run_at(utc(2026, 3, 10, 10, 50)).at_risk == 0
    assert events(ticket, EventKind.SLA_AT_RISK) == 2
    keys = set(Notification.objects.filter(kind="sla_at_risk").values_list("key", flat=True))
    assert keys == {f"clock:{clock.pk}:sla_at_risk:1", f"clock:{clock.pk}:sla_at_risk:2"}


def test_a_stale_arming_cannot_flag_at_risk(staff):
    ticket = premium_p1(staff, at=TEN)
    clock = clock_of(ticket)
    with time_machine.travel(utc(2026, 3, 10, 10, 5), tick=False):
        ticket_change_priority(ticket=ticket, actor=staff.alice, priority="P2", reason="Less")
    # A monitor that read generation 1 before the change loses.
    assert clocks.clock_flag_at_risk(clock_id=clock.pk, generation=1, at=TEN) is False
    assert clock_of(ticket).at_risk_at is None


def test_a_priority_change_to_a_deadline_already_past_breaches_and_notifies_at_once(staff):
    customer = customer_of(Tier.PREMIUM, staff)
    ticket = make_ticket(customer, at=TEN, impact="medium", urgency="medium")  # P3: 4h
    with time_machine.travel(utc(2026, 3, 10, 10, 30), tick=False):
        ticket_change_priority(ticket=ticket, actor=staff.alice, priority="P1", reason="Down")
    assert clock_of(ticket).breached_at == utc(2026, 3, 10, 10, 15)
    assert Notification.objects.filter(kind="sla_breached", ticket=ticket).exists()
    assert run_at(utc(2026, 3, 10, 10, 31)).breached == 0


def test_a_paused_clock_is_not_flagged(staff):
    ticket = premium_p1(staff, at=TEN)
    # Pausing is what the resolution clock does; here the clock is paused directly.
    SLAClock.objects.filter(ticket=ticket).update(
        paused_at=TEN + 60 * SECOND, due_at=None, warn_at=None
    )
    result = run_at(utc(2026, 3, 10, 12, 0))
    assert (result.at_risk, result.breached) == (0, 0)


def test_community_tickets_have_no_clock_and_nothing_to_flag(staff):
    customer = customer_of(Tier.COMMUNITY, staff)
    make_ticket(customer, at=TEN, impact="high", urgency="high")
    result = run_at(utc(2026, 3, 12))
    assert (result.at_risk, result.breached) == (0, 0)


# --- bounded batches, indexed predicates -----------------------------------------------------


def test_batches_are_bounded_and_a_rerun_finds_nothing_left(staff):
    customer = customer_of(Tier.PREMIUM, staff)
    for minute in range(5):
        make_ticket(customer, at=TEN + minute * 60 * SECOND, impact="high", urgency="high")
    with time_machine.travel(utc(2026, 3, 10, 11, 0), tick=False):
        assert run_monitor(batch_size=2).breached == 5
        assert run_monitor(batch_size=2).breached == 0
    assert SLAClock.objects.filter(breached_at__isnull=True).count() == 0


def test_the_scan_queries_match_the_partial_indexes():
    now = utc(2026, 3, 10, 10, 0)
    due = str(clocks_past_due(now=now).query)
    warn = str(clocks_past_warning(now=now).query)
    assert '"met_at" IS NULL' in due and '"breached_at" IS NULL' in due
    assert '"due_at" <=' in due
    for condition in ('"met_at" IS NULL', '"at_risk_at" IS NULL', '"breached_at" IS NULL'):
        assert condition in warn
    assert '"warn_at" <=' in warn


def test_each_run_records_a_heartbeat(staff):
    premium_p1(staff, at=TEN)
    run_at(utc(2026, 3, 10, 10, 20))
    heartbeat = MonitorHeartbeat.objects.get()
    assert heartbeat.last_run_at == utc(2026, 3, 10, 10, 20)
    assert (heartbeat.last_breached, heartbeat.last_at_risk, heartbeat.runs) == (1, 0, 1)
    run_at(utc(2026, 3, 10, 10, 21))
    heartbeat.refresh_from_db()
    assert (heartbeat.last_breached, heartbeat.runs) == (0, 2)
