"""Who is told that a clock is at risk or breached, and the telling itself.

At risk: the assignee, or every engineer and manager when nobody (active) is assigned.
Breached: the assignee, the managers and, for Premium (and trials in evaluation, which
run on Premium terms), the organization's account manager. Only active staff are ever
told. The flag services in :mod:`sla.clocks` call :func:`clock_notify` inside the
transaction whose conditional update won, so each alert exists exactly once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from accounts import selectors as account_selectors
from accounts.models import Tier, User
from notifications.services import News, notify_many
from sla.models import AlertKind, SLAClock
from tickets.models import Ticket


class StaffDirectory:
    """Active staff and managers, read once and reused: one monitor run tells many tickets."""

    def __init__(self) -> None:
        self._staff: dict[int, User] | None = None
        self._manager_ids: set[int] | None = None

    @property
    def staff(self) -> dict[int, User]:
        """Active engineers and managers by id: the only people SLA news may reach."""
        if self._staff is None:
            self._staff = {user.pk: user for user in account_selectors.staff_users()}
        return self._staff

    @property
    def manager_ids(self) -> set[int]:
        if self._manager_ids is None:
            self._manager_ids = set(account_selectors.managers().values_list("pk", flat=True))
        return self._manager_ids


# Set for the length of a monitor run; elsewhere each alert reads the staff afresh.
_directory: ContextVar[StaffDirectory | None] = ContextVar("sla_staff_directory", default=None)


@contextmanager
def shared_staff_directory() -> Iterator[StaffDirectory]:
    """Within this block every alert reads the staff once (a monitor run)."""
    directory = StaffDirectory()
    token = _directory.set(directory)
    try:
        yield directory
    finally:
        _directory.reset(token)


def _account_manager_alerted(ticket: Ticket) -> bool:
    """Premium tickets, and tickets of a Trial in evaluation (on Premium terms)."""
    terms = ticket.sla_terms or {}
    return ticket.tier == Tier.PREMIUM or bool(terms.get("in_trial"))


def sla_recipients(*, ticket: Ticket, kind: AlertKind) -> list[User]:
    """The staff to tell, each once, and never a customer or an inactive account."""
    directory = _directory.get() or StaffDirectory()
    staff = directory.staff
    if kind == AlertKind.AT_RISK:
        if ticket.assignee_id in staff:
            return [staff[ticket.assignee_id]]
        return list(staff.values())
    wanted = set(directory.manager_ids)
    if ticket.assignee_id:
        wanted.add(ticket.assignee_id)
    if _account_manager_alerted(ticket) and ticket.organization.account_manager_id:
        wanted.add(ticket.organization.account_manager_id)
    return [user for pk, user in staff.items() if pk in wanted]


def _news(clock: SLAClock, kind: AlertKind) -> News:
    ticket = clock.ticket
    key = f"clock:{clock.pk}:{kind.value}"
    if kind == AlertKind.AT_RISK:
        key += f":{clock.generation}"
    return News(
        recipients=sla_recipients(ticket=ticket, kind=kind),
        kind=kind.value,
        ticket=ticket,
        key=key,
        params={
            "ticket": ticket.reference,
            "subject": ticket.subject,
            "priority": ticket.priority,
            "organization": ticket.organization.name,
            "metric": clock.metric,
            "due": clock.due_at.isoformat() if clock.due_at else None,
        },
    )


def clock_notify(*, clock: SLAClock, kind: AlertKind, at: datetime.datetime) -> None:
    """Tell the right people that `clock` is at risk or breached (in-app and e-mail)."""
    clocks_notify(clocks=[clock], kind=kind, at=at)


def clocks_notify(*, clocks: Iterable[SLAClock], kind: AlertKind, at: datetime.datetime) -> None:
    """Tell the right people about each of these flagged clocks: one INSERT for all the
    notifications and one for all the e-mails (a monitor batch). Each clock's ticket and
    its organization must be loaded."""
    notify_many(news=[_news(clock, kind) for clock in clocks], at=at)
