"""`/healthz`: is the database answering, is the broker answering, is the monitor running.

The database or the broker down is an outage (503). A stalled breach monitor is
"degraded" (still 200): pages work, but nobody is told about breaches.
"""

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse

from helpdesk.celery import app as celery_app
from sla.monitor import monitor_status

logger = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    """Run `SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the reason goes to the log, not the public
        logger.exception("Health check: the database does not answer")
        return {"ok": False}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    """Open (and close) a connection to the Celery broker, failing fast."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception:
        logger.exception("Health check: the broker does not answer")
        return {"ok": False}
    return {"ok": True, "transport": str(transport)}


def check_monitor() -> dict[str, Any]:
    """Has the SLA breach monitor succeeded recently (see `sla.monitor.monitor_status`)?"""
    try:
        status = monitor_status()
    except Exception:
        logger.exception("Health check: the monitor's status cannot be read")
        return {"ok": False}
    last_run_at = status["last_run_at"]
    return {
        "ok": not status["degraded"],
        "last_run_at": last_run_at.isoformat() if last_run_at else None,
        "stale_after_seconds": status["stale_after_seconds"],
    }


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker(), "monitor": check_monitor()}
    if not (checks["database"]["ok"] and checks["broker"]["ok"]):
        status, code = "unavailable", 503
    elif not checks["monitor"]["ok"]:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
