"""Liveness (`/healthz`: the process and the database) and readiness (`/readyz`: every
dependency's state). Only the database down answers 503: a broker, cache or monitor
problem degrades the readiness report but never takes a web node out."""

import datetime
import logging

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from helpdesk import health
from helpdesk.celery import app as celery_app
from helpdesk.models import OutboxMessage, OutboxState
from sla.monitor import monitor_status, run_monitor

# Nothing listens on port 1: a service pointed there really is unreachable.
DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_REDIS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}
}


@pytest.fixture
def monitor_ran(db):
    """The breach monitor has just run, as beat makes it do every minute."""
    run_monitor()


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", DEAD_REDIS)


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DEAD_REDIS_CACHE


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True, "state": "up"}}}


@pytest.mark.django_db
def test_healthz_stays_200_when_the_broker_is_down(client, broker_down):
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_stays_200_when_the_cache_is_down(client, cache_down):
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_does_not_contact_the_broker(client, monkeypatch):
    def refuse() -> dict[str, object]:
        raise AssertionError("liveness must not depend on the broker")

    monkeypatch.setattr(health, "check_broker", refuse)
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_200_and_ok_when_every_dependency_answers(client, monitor_ran):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "broker", "cache", "monitor", "outbox"}
    assert {name: check["state"] for name, check in checks.items()} == {
        "database": "up",
        "broker": "up",
        "cache": "up",
        "monitor": "up",
        "outbox": "up",
    }
    assert all(check["ok"] for check in checks.values())


@pytest.mark.django_db
def test_readyz_reports_the_broker_down_but_stays_200(client, monitor_ran, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"] == {"ok": False, "state": "down"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_the_cache_down_but_stays_200(client, monitor_ran, cache_down):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == {"ok": False, "state": "down"}
    assert body["checks"]["broker"]["ok"] is True


def _database_unreachable():
    """Point the real connection at a database that cannot be reached; undo on exit.

    The open connection is set aside, not closed: an in-memory test database would vanish.
    """
    saved_settings, saved_connection = dict(connection.settings_dict), connection.connection
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/helpdesk.sqlite3"
    else:
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})

    def restore() -> None:
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        connection.connection = saved_connection

    return restore


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_liveness_and_readiness_are_503_when_the_database_is_down(client, url):
    restore = _database_unreachable()
    try:
        response = client.get(url)
    finally:
        restore()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "state": "down"}


@pytest.mark.django_db
def test_readyz_reports_the_monitor_up_after_a_recent_run(client, monitor_ran):
    body = client.get("/readyz").json()
    assert body["checks"]["monitor"]["ok"] is True
    assert body["checks"]["monitor"]["state"] == "up"
    assert body["checks"]["monitor"]["last_run_at"] is not None


@pytest.mark.django_db
def test_readyz_is_degraded_but_200_when_the_monitor_never_ran(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["monitor"] == {
        "ok": False,
        "state": "stale",
        "last_run_at": None,
        "stale_after_seconds": 300,
    }
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_degraded_when_the_last_run_is_over_five_minutes_old(client):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=5, seconds=1), tick=False):
        run_monitor()
    with time_machine.travel(now, tick=False):
        body = client.get("/readyz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["monitor"]["state"] == "stale"


@pytest.mark.django_db
def test_a_run_exactly_five_minutes_ago_is_still_ok(client):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=5), tick=False):
        run_monitor()
    with time_machine.travel(now, tick=False):
        assert client.get("/readyz").json()["status"] == "ok"


@pytest.mark.django_db
def test_an_old_outbox_backlog_degrades_readiness_but_stays_200(client, monitor_ran, settings):
    settings.OUTBOX_BACKLOG_STALE_SECONDS = 300
    payload = {"to": ["a@example.com"], "subject": "s", "body": "b", "headers": {}}
    old = timezone.now() - datetime.timedelta(seconds=900)
    OutboxMessage.objects.create(key="old", payload=payload, created_at=old)
    OutboxMessage.objects.create(key="bad", payload=payload, state=OutboxState.FAILED)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    outbox = response.json()["checks"]["outbox"]
    assert (outbox["ok"], outbox["state"], outbox["pending"], outbox["failed"]) == (
        False,
        "backlogged",
        1,
        1,
    )
    assert outbox["oldest_pending_seconds"] >= 900


@pytest.mark.django_db
def test_a_dependency_down_is_logged(client, monitor_ran, broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="helpdesk.health"):
        client.get("/readyz")
    assert any("broker" in record.getMessage() for record in caplog.records)


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
def test_readyz_does_not_reveal_connection_details(client, monkeypatch, settings):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://secret-user:pw@127.0.0.1:1/0")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://secret-user:pw@127.0.0.1:1/0",
        }
    }
    body = client.get("/readyz").content.decode()
    assert "secret-user" not in body
    assert "127.0.0.1" not in body
