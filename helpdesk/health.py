"""Liveness (`/healthz`) and readiness (`/readyz`) for load balancers and monitoring.

Status-code rule, for both: **503 only when the database does not answer.** Every page
needs the database; nothing else takes a web node out of service:

- `/healthz` (liveness) checks the process and the database, nothing more. A load
  balancer or orchestrator restarts or drains the node on 503.
- `/readyz` (readiness report) lists each dependency with its state: database, broker,
  cache, breach monitor, e-mail outbox. A broker, cache, monitor or outbox problem makes
  the report "degraded" (still 200): pages and filing tickets still work, messages and
  presence wait. It is meant for dashboards and alerts, and may serve as a readiness
  probe because it only fails with the database.

Each check answers `{"ok": bool, "state": ...}`; the reason for a failure goes to the
log, never to the public body (no host names or credentials).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import get_random_string

from helpdesk.celery import app as celery_app
from helpdesk.outbox import outbox_backlog
from sla.monitor import monitor_status

logger = logging.getLogger(__name__)

UP, DOWN = "up", "down"


def check_database() -> dict[str, Any]:
    """Run `SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the reason goes to the log, not the public
        logger.exception("Health check: the database does not answer")
        return {"ok": False, "state": DOWN}
    return {"ok": True, "state": UP}


def check_broker() -> dict[str, Any]:
    """Open (and close) a connection to the Celery broker, failing fast."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.warning("Health check: the broker does not answer", exc_info=True)
        return {"ok": False, "state": DOWN}
    return {"ok": True, "state": UP}


def check_cache() -> dict[str, Any]:
    """Write, read back and delete a throw-away key in the default cache."""
    key = f"readiness-probe:{get_random_string(12)}"
    try:
        cache.set(key, "1", timeout=10)
        answered = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        logger.warning("Health check: the cache does not answer", exc_info=True)
        return {"ok": False, "state": DOWN}
    if not answered:
        logger.warning("Health check: the cache lost a key it had just stored")
        return {"ok": False, "state": DOWN}
    return {"ok": True, "state": UP}


def check_monitor() -> dict[str, Any]:
    """Has the SLA breach monitor succeeded recently (see `sla.monitor.monitor_status`)?"""
    try:
        status = monitor_status()
    except Exception:
        logger.warning("Health check: the monitor's status cannot be read", exc_info=True)
        return {"ok": False, "state": DOWN}
    last_run_at = status["last_run_at"]
    return {
        "ok": not status["degraded"],
        "state": "stale" if status["degraded"] else UP,
        "last_run_at": last_run_at.isoformat() if last_run_at else None,
        "stale_after_seconds": status["stale_after_seconds"],
    }


def check_outbox() -> dict[str, Any]:
    """The e-mail outbox's backlog: degraded when its oldest pending message has waited
    longer than ``OUTBOX_BACKLOG_STALE_SECONDS`` (the relay is not keeping up, or the
    broker and beat are both away); failed messages are counted for administrators."""
    try:
        backlog = outbox_backlog()
    except Exception:
        logger.warning("Health check: the outbox's backlog cannot be read", exc_info=True)
        return {"ok": False, "state": DOWN}
    ok = backlog["oldest_pending_seconds"] <= settings.OUTBOX_BACKLOG_STALE_SECONDS
    return {"ok": ok, "state": UP if ok else "backlogged", **backlog}


def _report(checks: dict[str, dict[str, Any]]) -> JsonResponse:
    if not checks["database"]["ok"]:
        status, code = "unavailable", 503
    elif not all(check["ok"] for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, "checks": checks}, status=code)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 while the process answers and the database does, else 503."""
    return _report({"database": check_database()})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness report: every dependency's state; 503 only when the database is down."""
    database = check_database()
    return _report(
        {
            "database": database,
            "broker": check_broker(),
            "cache": check_cache(),
            # The monitor's status is in the database: without it, it can only be "down".
            "monitor": check_monitor() if database["ok"] else {"ok": False, "state": DOWN},
            "outbox": check_outbox(),
        }
    )
