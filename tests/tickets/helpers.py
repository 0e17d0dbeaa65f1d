"""Build tickets through the real service, so clocks and history are the real ones."""

from __future__ import annotations

import datetime

from tickets.services import ticket_create


def make_ticket(requester, *, at: datetime.datetime | None = None, **overrides):
    values = {
        "subject": "Backups fail every night",
        "description": "No successful backup for 48 hours.",
        "impact": "medium",
        "urgency": "high",
    }
    values.update(overrides)
    return ticket_create(requester=requester, at=at, **values)
