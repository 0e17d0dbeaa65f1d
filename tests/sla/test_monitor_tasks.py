"""The monitor's Celery wiring: beat schedule in code, thin tasks, discovered by the worker."""

from __future__ import annotations

import datetime

import pytest
from celery.schedules import crontab

from helpdesk.celery import app, beat_schedule
from sla import tasks
from sla.models import SLAClock
from tests.sla.monitor_helpers import Staff, premium_p1, utc


def test_beat_runs_the_monitor_every_minute_by_default():
    entry = app.conf.beat_schedule["sla-breach-monitor"]
    assert entry["task"] == "sla.tasks.run_breach_monitor"
    assert entry["schedule"] == datetime.timedelta(seconds=60)


def test_the_monitor_interval_is_a_setting(settings):
    settings.SLA_MONITOR_INTERVAL_SECONDS = 15
    entry = beat_schedule()["sla-breach-monitor"]
    assert entry["schedule"] == datetime.timedelta(seconds=15)
    assert entry["options"]["expires"] == 15


def test_beat_sends_trial_reminders_daily():
    entry = app.conf.beat_schedule["sla-trial-reminders"]
    assert entry["task"] == "sla.tasks.remind_ending_trials"
    assert entry["schedule"] == crontab(hour=7, minute=0)


def test_the_worker_discovers_the_tasks():
    app.loader.import_default_modules()
    assert {"sla.tasks.run_breach_monitor", "sla.tasks.remind_ending_trials"} <= set(app.tasks)
    assert app.tasks["sla.tasks.run_breach_monitor"].acks_late is True


@pytest.mark.django_db
def test_the_task_runs_the_monitor_and_reports_counts():
    import time_machine

    premium_p1(Staff(), at=utc(2026, 3, 10, 10, 0))
    with time_machine.travel(utc(2026, 3, 10, 10, 20), tick=False):
        report = tasks.run_breach_monitor.delay().get()  # eager in tests
    assert report["breached"] == 1 and report["at_risk"] == 0
    assert SLAClock.objects.get().breached_at is not None


def test_beat_checks_the_ticket_facts_nightly():
    entry = app.conf.beat_schedule["sla-ticket-facts-check"]
    assert entry["task"] == "sla.tasks.check_ticket_facts"
    assert entry["schedule"] == crontab(hour=3, minute=30)
    app.loader.import_default_modules()
    assert "sla.tasks.check_ticket_facts" in app.tasks


@pytest.mark.django_db
def test_the_facts_check_repairs_drift_and_says_so(caplog):
    from sla.models import TicketFacts

    ticket = premium_p1(Staff(), at=utc(2026, 3, 10, 10, 0))
    assert tasks.check_ticket_facts.delay().get() == {"tickets": 1, "repaired": 0}
    TicketFacts.objects.filter(ticket=ticket).update(priority="P4")
    with caplog.at_level("WARNING", logger="sla.facts"):
        assert tasks.check_ticket_facts.delay().get() == {"tickets": 1, "repaired": 1}
    assert "1 of 1 rows were missing or stale" in caplog.text
    assert TicketFacts.objects.get(ticket=ticket).priority == "P1"
