"""People and tickets for the breach monitor's tests."""

from __future__ import annotations

import datetime

import time_machine

from accounts.models import Tier
from sla.monitor import MonitorResult, run_monitor
from tests.factories import (
    CustomerFactory,
    EngineerFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.tickets.helpers import make_ticket

UTC = datetime.UTC


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def run_at(moment: datetime.datetime) -> MonitorResult:
    """One monitor run with the clock frozen at `moment` (as beat would start it)."""
    with time_machine.travel(moment, tick=False):
        return run_monitor()


class Staff:
    """Two engineers, a manager and an account manager; the only people SLA news reaches."""

    def __init__(self) -> None:
        self.alice = EngineerFactory(email="alice@helpdesk.example")
        self.bob = EngineerFactory(email="bob@helpdesk.example")
        self.mia = ManagerFactory(email="mia@helpdesk.example")
        self.adam = EngineerFactory(email="adam@helpdesk.example")  # account manager
        EngineerFactory(email="gone@helpdesk.example", is_active=False)

    @property
    def everyone(self) -> set[str]:
        return {p.email for p in (self.alice, self.bob, self.mia, self.adam)}


def customer_of(tier: str, staff: Staff, **org: object):
    organization = OrganizationFactory(
        tier=tier,
        time_zone=org.pop("time_zone", "UTC"),
        country=org.pop("country", ""),
        account_manager=staff.adam,
        **org,
    )
    return CustomerFactory(organization=organization)


def premium_p1(staff: Staff, *, at: datetime.datetime, **overrides: object):
    customer = customer_of(Tier.PREMIUM, staff)
    return make_ticket(customer, at=at, impact="high", urgency="high", **overrides)
