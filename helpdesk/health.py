"""`/healthz`: is the database answering, is the broker answering."""

from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse

from helpdesk.celery import app as celery_app


def check_database() -> dict[str, Any]:
    """Run `SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    """Open (and close) a connection to the Celery broker, failing fast."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": True, "transport": str(transport)}


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
