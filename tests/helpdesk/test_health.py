import datetime

import pytest
import time_machine
from django.utils import timezone

from helpdesk.celery import app as celery_app
from sla.monitor import monitor_status, run_monitor


@pytest.fixture
def monitor_ran(db):
    """The breach monitor has just run, as beat makes it do every minute."""
    run_monitor()


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client, monitor_ran):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 1: the broker really is unreachable.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_down(client):
    from django.db import connection

    saved_settings, saved_connection = dict(connection.settings_dict), connection.connection
    # Point the real connection at a database that cannot be reached. The open
    # connection is set aside, not closed: an in-memory test database would vanish.
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/helpdesk.sqlite3"
    else:
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        response = client.get("/healthz")
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        connection.connection = saved_connection
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


@pytest.mark.django_db
def test_healthz_reports_the_monitor_ok_after_a_recent_run(client, monitor_ran):
    body = client.get("/healthz").json()
    assert body["checks"]["monitor"]["ok"] is True
    assert body["checks"]["monitor"]["last_run_at"] is not None


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_monitor_never_ran(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["monitor"] == {
        "ok": False,
        "last_run_at": None,
        "stale_after_seconds": 300,
    }
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_degraded_when_the_last_run_is_over_five_minutes_old(client):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=5, seconds=1), tick=False):
        run_monitor()
    with time_machine.travel(now, tick=False):
        body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["monitor"]["ok"] is False


@pytest.mark.django_db
def test_a_run_exactly_five_minutes_ago_is_still_ok(client):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=5), tick=False):
        run_monitor()
    with time_machine.travel(now, tick=False):
        assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db
def test_a_broker_outage_is_503_even_with_a_degraded_monitor(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_monitor_status_for_the_dashboard(settings):
    settings.SLA_MONITOR_STALE_SECONDS = 120
    assert monitor_status()["degraded"] is True
    assert monitor_status()["last_run_at"] is None
    ran_at = timezone.now()
    with time_machine.travel(ran_at, tick=False):
        run_monitor()
    status = monitor_status(now=ran_at + datetime.timedelta(seconds=119))
    assert status["last_run_at"] == ran_at
    assert status["degraded"] is False
    assert status["runs"] == 1
    assert status["last_breached"] == status["last_at_risk"] == 0
    assert monitor_status(now=ran_at + datetime.timedelta(seconds=121))["degraded"] is True


@pytest.mark.django_db
def test_healthz_does_not_reveal_connection_details(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://secret-user:pw@127.0.0.1:1/0")
    body = client.get("/healthz").content.decode()
    assert "secret-user" not in body
    assert "127.0.0.1" not in body
