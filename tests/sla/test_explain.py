"""What the product says about clocks: never a negative duration, never a promise of a
time already past, a reason for every stopped clock, and a zone named on every time that
is not the viewer's own (issue: every clock and time on screen telling the truth)."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from accounts.models import Tier
from sla import explain
from sla.calendar import BusinessCalendar
from sla.models import Metric, SLAClock, SupportPlan, Target
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket, sp
from tickets.models import Status
from tickets.services import comment_add, ticket_change_status

pytestmark = pytest.mark.django_db

P2 = {"impact": "medium", "urgency": "high"}  # Standard: 3 business hours


def words(**kwargs: int) -> str:
    return explain.format_duration(datetime.timedelta(**kwargs), style="words")


# --- 1. durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "compact", "in_words"),
    [
        (datetime.timedelta(minutes=15), "15m", "15 min"),
        (datetime.timedelta(hours=1, minutes=30), "1h 30m", "1 h 30 min"),
        (datetime.timedelta(hours=24), "24h", "24 h"),
        (datetime.timedelta(seconds=90), "1m 30s", "1 min"),
        (datetime.timedelta(0), "0s", "0 min"),
        # divmod on negative seconds gave "-1h 47m 40s" for 12 minutes late
        (datetime.timedelta(minutes=-12), "12m", "12 min"),
        (datetime.timedelta(hours=-2, minutes=-10), "2h 10m", "2 h 10 min"),
        (datetime.timedelta(seconds=-1), "1s", "0 min"),
    ],
)
def test_durations_are_never_negative(duration, compact, in_words):
    assert explain.format_duration(duration) == compact
    assert explain.format_duration(duration, style="words") == in_words


def standard_customer(**org):
    organization = OrganizationFactory(tier=Tier.STANDARD, **org)
    return CustomerFactory(organization=organization)


def test_a_clock_12_minutes_late_reads_overdue_by_12_minutes_of_business_hours(client):
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)  # due Tuesday 12:00
    engineer = EngineerFactory()
    client.force_login(engineer)
    with time_machine.travel(sp(2026, 3, 10, 12, 12), tick=False):
        response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "overdue by 12 min of business hours" in html
    assert not re.search(r"-\d+h|-\d+ h", html)


def test_overdue_across_a_night_counts_business_time_and_says_so():
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 15, 0), **P2)  # due Wed 09:00
    clock = SLAClock.objects.get(ticket=ticket, metric="first_response")
    late = explain.explain_clock(clock, ticket=ticket, now=sp(2026, 3, 11, 11, 10))
    assert late.overdue_by == datetime.timedelta(hours=2, minutes=10)
    assert late.remaining is None
    assert late.remaining_text == "overdue by 2 h 10 min of business hours"


# --- 2. an overdue ticket never promises a time already past -------------------------------


def test_customer_of_an_overdue_ticket_is_told_the_target_was_missed(client):
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    client.force_login(customer)
    with time_machine.travel(sp(2026, 3, 10, 14, 10), tick=False):
        html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "We will respond by" not in html
    assert "target missed: it was due Tue 10 Mar 2026, 12:00" in html
    assert "overdue by 2 h 10 min of business hours" in html
    assert "flagged to the support team" in html


def test_customer_of_a_ticket_on_time_is_promised_the_due_time(client):
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    client.force_login(customer)
    with time_machine.travel(sp(2026, 3, 10, 10, 0), tick=False):
        html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "We will respond by Tue 10 Mar 2026, 12:00." in html
    assert "target missed" not in html


# --- 3. every stopped clock says why ---------------------------------------------------------


def sentences(ticket, now):
    with timezone.override("America/Sao_Paulo"):
        return [c.sentence for c in explain.ticket_clocks_explained(ticket=ticket, now=now)]


def test_a_solved_ticket_says_its_clock_stopped_because_it_was_solved(client):
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    engineer = EngineerFactory()
    ticket_change_status(
        ticket=ticket, actor=engineer, status=Status.SOLVED, at=sp(2026, 3, 10, 9, 30)
    )
    ticket.refresh_from_db()
    text = " ".join(sentences(ticket, sp(2026, 3, 10, 10, 0)))
    assert "stopped when the ticket was solved" in text
    assert "wait for your reply" not in text
    client.force_login(customer)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Stopped: solved" in html and "wait for your reply" not in html


def test_a_closed_ticket_says_closed_and_a_reopened_one_runs_again():
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    ticket_change_status(
        ticket=ticket, actor=customer, status=Status.CLOSED, at=sp(2026, 3, 10, 9, 30)
    )
    ticket.refresh_from_db()
    assert "stopped when the ticket was closed" in " ".join(sentences(ticket, sp(2026, 3, 10, 10)))
    comment_add(ticket=ticket, author=customer, body="Still broken", at=sp(2026, 3, 10, 10, 0))
    ticket.refresh_from_db()
    text = " ".join(sentences(ticket, sp(2026, 3, 10, 10, 5)))
    assert ticket.status == Status.OPEN
    assert "so due Tue 10 Mar 2026, 12:30" in text  # 30 min paused moved it out


def test_waiting_on_the_customer_pauses_and_says_so(client):
    Target.objects.create(
        plan=SupportPlan.objects.get(code="standard"),
        priority="P2",
        metric=Metric.RESOLUTION,
        duration=datetime.timedelta(hours=8),
    )
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    engineer = EngineerFactory()
    comment_add(ticket=ticket, author=engineer, body="Which version?", at=sp(2026, 3, 10, 9, 10))
    ticket_change_status(
        ticket=ticket, actor=engineer, status=Status.PENDING_CUSTOMER, at=sp(2026, 3, 10, 9, 11)
    )
    ticket.refresh_from_db()
    with timezone.override("America/Sao_Paulo"):
        explained = explain.ticket_clocks_explained(ticket=ticket, now=sp(2026, 3, 10, 10))
    by_metric = {c.clock.metric: c for c in explained}
    assert by_metric["first_response"].stopped == explain.STOPPED_MET
    assert "met on time" in by_metric["first_response"].sentence
    assert by_metric["resolution"].stopped == explain.STOPPED_WAITING
    assert "wait for your reply" in by_metric["resolution"].sentence
    client.force_login(customer)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Paused: waiting on customer" in html and "wait for your reply" in html
    assert "target missed" not in html


def test_a_response_after_the_deadline_reads_met_late():
    customer = standard_customer()
    ticket = make_ticket(customer, at=sp(2026, 3, 10, 9, 0), **P2)
    engineer = EngineerFactory()
    comment_add(ticket=ticket, author=engineer, body="Looking", at=sp(2026, 3, 10, 13, 0))
    ticket.refresh_from_db()
    with timezone.override("America/Sao_Paulo"):
        first = explain.ticket_clocks_explained(ticket=ticket, now=sp(2026, 3, 10, 14))[0]
    assert first.stopped == explain.STOPPED_MET
    assert "met late: due Tue 10 Mar 2026, 12:00, met Tue 10 Mar 2026, 13:00" in first.sentence
    assert first.status_text.startswith("Met late")


# --- 4. every time names its zone when it is not the viewer's -------------------------------


def test_times_in_another_zone_than_the_viewers_name_it(client):
    customer = standard_customer(time_zone="Europe/Berlin", country="DE")
    customer.time_zone = "UTC"
    customer.save(update_fields=["time_zone"])
    berlin_nine = datetime.datetime(2026, 3, 10, 8, 0, tzinfo=datetime.UTC)  # 09:00 in Berlin
    ticket = make_ticket(customer, at=berlin_nine, **P2)
    client.force_login(customer)
    with time_machine.travel(berlin_nine + datetime.timedelta(minutes=5), tick=False):
        html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    # The deadline in the organization's zone, named; the badge in the viewer's (UTC) zone.
    assert (
        "filed Tue 10 Mar 2026, 09:00 (Berlin time), so due Tue 10 Mar 2026, 12:00 (Berlin time)"
        in html
    )
    assert "Due Tue 10 Mar 2026, 11:00" in html
    assert "a.m." not in html and "p.m." not in html


def test_one_date_and_time_style_in_both_languages():
    moment = datetime.datetime(2026, 12, 1, 13, 14, tzinfo=datetime.UTC)
    with timezone.override("UTC"):
        assert explain.format_instant(moment) == "Tue 1 Dec 2026, 13:14"
        assert explain.format_instant(moment, zone="Asia/Kolkata") == (
            "Tue 1 Dec 2026, 18:44 (Kolkata time)"
        )
        with translation.override("pt-br"):
            assert explain.format_instant(moment) == "ter 1 dez 2026, 13:14"


def test_skipped_public_holidays_are_named_in_the_viewers_language():
    """The snapshot keeps the country's own names; the explanation names them in the
    viewer's language where the `holidays` package has it (Brazil: English and Portuguese)."""
    organization = OrganizationFactory(
        tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR"
    )
    customer = CustomerFactory(organization=organization)
    filed = datetime.datetime(2026, 12, 24, 16, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    ticket = make_ticket(customer, at=filed, impact="low", urgency="low")  # P4: 24 business hours
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    now = filed + datetime.timedelta(hours=1)
    with translation.override("en"):
        english = explain.explain_clock(clock, ticket=ticket, now=now).holidays_skipped
    with translation.override("pt-br"):
        portuguese = explain.explain_clock(clock, ticket=ticket, now=now).holidays_skipped
    christmas = datetime.date(2026, 12, 25)
    assert (christmas, "Christmas Day") in english
    assert (christmas, "Natal") in portuguese


def test_the_24x7_countdown_reads_as_continuous_time_in_portuguese():
    """pt-BR says "em tempo corrido" (continuous time) beside "em horário comercial", not
    "24 horas por dia" glued after the span ("faltam 9 min 24 horas por dia")."""
    with translation.override("pt-br"):
        assert str(explain._time_basis(is_24x7=True)) == "em tempo corrido"
        assert str(explain._time_basis(is_24x7=False)) == "em horário comercial"


def test_queue_countdown_sentences_in_portuguese_for_each_state():
    """The whole countdown as the queue shows it in pt-BR: running and overdue on a 24x7
    and on a business-hours calendar, paused, met late and met."""
    full_days = BusinessCalendar("UTC", {day: [("00:00", "24:00")] for day in range(7)})
    business = BusinessCalendar("UTC", {day: [("08:00", "17:00")] for day in range(5)})
    now = datetime.datetime(2026, 12, 1, 13, 0, tzinfo=datetime.UTC)  # a Tuesday
    running = [SLAClock(metric="first_response")]
    soon = now + datetime.timedelta(minutes=9)
    late = now - datetime.timedelta(hours=2)

    def text(**kwargs):
        kwargs.setdefault("warn", None)
        kwargs.setdefault("clocks", running)
        return explain.countdown(now=now, **kwargs)

    with translation.override("pt-br"):
        ahead = text(due=soon, calendar=full_days, is_24x7=True)
        assert (ahead.code, ahead.text) == ("running", "faltam 9 min em tempo corrido")
        overdue = text(due=late, calendar=full_days, is_24x7=True)
        assert overdue.code == "breached"
        assert overdue.text == "atrasado em 2 h em tempo corrido"
        assert overdue.due_text.startswith("vencia ter 1 dez 2026, 11:00")
        office = text(due=late, calendar=business, is_24x7=False)
        assert office.text == "atrasado em 2 h em horário comercial"
        paused = SLAClock(metric="first_response", paused_at=now)
        assert text(due=None, clocks=[paused], calendar=full_days, is_24x7=True).text == ("pausado")
        met_late = SLAClock(metric="first_response", met_at=now, breached_at=late)
        assert text(due=None, clocks=[met_late], calendar=full_days, is_24x7=True).text == (
            "cumprido com atraso"
        )
        met = SLAClock(metric="first_response", met_at=now)
        assert text(due=None, clocks=[met], calendar=full_days, is_24x7=True).text == "cumprido"
