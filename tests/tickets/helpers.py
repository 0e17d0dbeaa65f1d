"""Build tickets through the real service, so clocks and history are the real ones."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from tickets.services import ticket_create

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def sp(*args: int) -> datetime.datetime:
    """A wall-clock time in São Paulo (the Standard demo organizations' zone)."""
    return datetime.datetime(*args, tzinfo=SAO_PAULO)


def make_ticket(requester, *, at: datetime.datetime | None = None, **overrides):
    values = {
        "subject": "Backups fail every night",
        "description": "No successful backup for 48 hours.",
        "impact": "medium",
        "urgency": "high",
    }
    values.update(overrides)
    return ticket_create(requester=requester, at=at, **values)
