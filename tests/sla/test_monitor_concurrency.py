"""Two monitors at the same instant on PostgreSQL: each crossing is flagged and told once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from notifications.models import Notification
from sla import clocks, monitor
from sla.models import SLAClock
from tests.sla.monitor_helpers import Staff, premium_p1, run_at, utc
from tickets.models import Event, EventKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEN = utc(2026, 3, 10, 10, 0)


def test_two_concurrent_monitors_flag_each_crossing_once_and_notify_each_person_once(
    seeded, monkeypatch
):
    staff = Staff()
    breaching = premium_p1(staff, at=TEN)  # due 10:15
    at_risk = premium_p1(staff, at=utc(2026, 3, 10, 10, 5))  # at risk 10:16:15, due 10:20
    now = utc(2026, 3, 10, 10, 17)

    # Both monitors must have selected the same clocks before either flags one: each
    # flag call waits for its twin in the other thread, then both race in the database.
    start = threading.Barrier(2, timeout=30)
    twin = threading.Barrier(2, timeout=30)
    real_breached, real_at_risk = clocks.clock_flag_breached, clocks.clock_flag_at_risk

    def flag_breached(**kwargs):
        twin.wait()
        return real_breached(**kwargs)

    def flag_at_risk(**kwargs):
        twin.wait()
        return real_at_risk(**kwargs)

    monkeypatch.setattr(clocks, "clock_flag_breached", flag_breached)
    monkeypatch.setattr(clocks, "clock_flag_at_risk", flag_at_risk)

    results, errors = [], []

    def one_monitor() -> None:
        try:
            start.wait()
            results.append(monitor.run_monitor(now))
        except Exception as exc:  # reported below, with the thread's own traceback lost
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=one_monitor) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == 2
    # Either monitor may win either race, but each crossing is won once in all.
    assert sum(r.breached for r in results) == 1
    assert sum(r.at_risk for r in results) == 1

    assert Event.objects.filter(ticket=breaching, kind=EventKind.SLA_BREACHED).count() == 1
    assert Event.objects.filter(ticket=at_risk, kind=EventKind.SLA_AT_RISK).count() == 1
    breached_to = list(
        Notification.objects.filter(ticket=breaching, kind="sla_breached").values_list(
            "recipient__email", flat=True
        )
    )
    assert sorted(breached_to) == sorted([staff.mia.email, staff.adam.email])
    at_risk_to = list(
        Notification.objects.filter(ticket=at_risk, kind="sla_at_risk").values_list(
            "recipient__email", flat=True
        )
    )
    assert sorted(at_risk_to) == sorted(staff.everyone)
    assert SLAClock.objects.get(ticket=breaching).breached_at == utc(2026, 3, 10, 10, 15)
    # And a third run, later, finds nothing left.
    monkeypatch.undo()
    assert run_at(utc(2026, 3, 10, 10, 18)).breached == 0
