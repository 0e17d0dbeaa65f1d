"""A ticket's facts stay right when two transactions change the ticket at once (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from sla import clocks
from sla.models import Metric, TicketFacts
from tests.sla.monitor_helpers import Staff, premium_p1, utc
from tickets.models import Ticket
from tickets.services import comment_add, ticket_assign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEN = utc(2026, 3, 10, 10, 0)


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def in_thread(work, errors: list[BaseException]) -> threading.Thread:
    """Start `work` in a thread of its own (own connection); its exception goes to errors."""

    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def until_one_waits_for_a_lock() -> None:
    deadline = time.monotonic() + 20
    while waiting_for_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert waiting_for_a_lock() == 1


def test_an_assignment_during_a_breach_flag_keeps_both_in_the_facts(seeded):
    staff = Staff()
    ticket = premium_p1(staff, at=TEN)  # first response due 10:15
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    flagged, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def monitor_flags_the_breach() -> None:
        try:
            with transaction.atomic():
                assert clocks.clock_flag_breached(clock_id=clock.pk, at=utc(2026, 3, 10, 10, 20))
                flagged.set()
                assert release.wait(20)  # still uncommitted while the engineer assigns
        finally:
            flagged.set()

    monitor = in_thread(monitor_flags_the_breach, errors)
    assert flagged.wait(20)
    engineer = in_thread(
        lambda: ticket_assign(ticket=ticket, actor=staff.alice, assignee=staff.bob), errors
    )
    until_one_waits_for_a_lock()  # the assignment waits for the monitor's transaction
    release.set()
    monitor.join(30)
    engineer.join(30)
    assert not errors, errors
    facts = TicketFacts.objects.get(ticket=ticket)
    assert facts.first_response_breached_at == utc(2026, 3, 10, 10, 15)
    assert facts.assignee_id == staff.bob.pk


def test_a_late_reply_during_a_breach_flag_neither_deadlocks_nor_loses_a_fact(seeded):
    """The engineer's reply locks the ticket, then meets the clock; the monitor flags the
    same clock meanwhile. Both lock the ticket first, so one waits for the other."""
    staff = Staff()
    ticket = premium_p1(staff, at=TEN)  # first response due 10:15
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    locked, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    flags: list[bool] = []

    def engineer_replies() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)  # as comment_add does
                locked.set()
                assert go.wait(20)
                comment_add(
                    ticket=ticket, author=staff.alice, body="Late", at=utc(2026, 3, 10, 10, 20)
                )
        finally:
            locked.set()

    engineer = in_thread(engineer_replies, errors)
    assert locked.wait(20)
    monitor = in_thread(
        lambda: flags.append(
            clocks.clock_flag_breached(clock_id=clock.pk, at=utc(2026, 3, 10, 10, 21))
        ),
        errors,
    )
    until_one_waits_for_a_lock()  # the monitor waits for the engineer's ticket lock
    go.set()
    engineer.join(30)
    monitor.join(30)
    assert not errors, errors
    assert flags == [False]  # the reply, late, had already recorded the breach
    facts = TicketFacts.objects.get(ticket=ticket)
    assert facts.first_response_breached_at == utc(2026, 3, 10, 10, 15)
    assert facts.first_response_met_at == utc(2026, 3, 10, 10, 20)
    assert facts.first_responder_id == staff.alice.pk
