"""The breach monitor: find clocks that crossed their warning or due time, flag each once.

Celery beat runs :func:`run_monitor` every ``SLA_MONITOR_INTERVAL_SECONDS`` through
:mod:`sla.tasks`; it needs no Celery to run or test. Each run selects clock ids by the
predicates of the partial indexes ``slaclock_running_due`` and ``slaclock_running_warn``
(so its cost follows the number of crossings, not the number of clocks), in bounded
batches, and flags each through :func:`sla.clocks.clock_flag_breached` /
:func:`sla.clocks.clock_flag_at_risk`, whose conditional updates let exactly one caller
win. The winner records the timeline event and notifies (:func:`clock_notify`) in the
same transaction, so two monitors at once, or a retried task, tell nobody twice.
"""

from __future__ import annotations

import datetime
import logging
import time
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Organization, Tier, User
from sla import clocks
from sla.models import MonitorHeartbeat, SLAClock, TrialReminder

if TYPE_CHECKING:
    from tickets.models import Ticket

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
AT_RISK = "sla_at_risk"
BREACHED = "sla_breached"
TRIAL_ENDING = "trial_ending"


@dataclass(frozen=True)
class MonitorResult:
    """What one run did: the instant it scanned up to, what it flagged, how long it took."""

    scanned_until: datetime.datetime
    breached: int
    at_risk: int
    duration: datetime.timedelta

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["scanned_until"] = self.scanned_until.isoformat()
        values["duration"] = self.duration.total_seconds()
        return values


# --- the scan ------------------------------------------------------------------------------------


def clocks_past_due(*, now: datetime.datetime) -> QuerySet[SLAClock]:
    """Running, unbreached clocks due by `now`: the predicate of ``slaclock_running_due``.

    A paused clock has no due time, so it is never here.
    """
    return SLAClock.objects.filter(
        met_at__isnull=True, breached_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def clocks_past_warning(*, now: datetime.datetime) -> QuerySet[SLAClock]:
    """Running clocks past their warning time, not yet flagged in this arming.

    Exactly the predicate of ``slaclock_running_warn``, so that index serves it. A clock
    also past its due time is left to the breach scan (see :func:`_flag_at_risk`).
    """
    return SLAClock.objects.filter(
        met_at__isnull=True, at_risk_at__isnull=True, breached_at__isnull=True, warn_at__lte=now
    ).order_by("warn_at")


def _flag_breaches(*, now: datetime.datetime, batch_size: int) -> int:
    flagged, lost = 0, set()
    while True:
        candidates = clocks_past_due(now=now)
        if lost:
            candidates = candidates.exclude(pk__in=lost)
        batch = list(candidates.values_list("pk", flat=True)[:batch_size])
        for clock_id in batch:
            try:
                won = clocks.clock_flag_breached(clock_id=clock_id, at=now)
            except Exception:  # one bad clock must not stop the run for every other
                logger.exception("Breach monitor: flagging clock %s failed", clock_id)
                won = False
            if won:
                flagged += 1
            else:  # another monitor, a reply or a pause got there first
                lost.add(clock_id)
        if len(batch) < batch_size:
            return flagged


def _flag_at_risk_safely(*, clock_id: int, generation: int, at: datetime.datetime) -> bool:
    try:
        return clocks.clock_flag_at_risk(clock_id=clock_id, generation=generation, at=at)
    except Exception:  # one bad clock must not stop the run for every other
        logger.exception("Breach monitor: flagging clock %s at risk failed", clock_id)
        return False


def _flag_at_risk(*, now: datetime.datetime, batch_size: int) -> int:
    flagged, skipped = 0, set()
    while True:
        candidates = clocks_past_warning(now=now)
        if skipped:
            candidates = candidates.exclude(pk__in=skipped)
        batch = list(candidates.values_list("pk", "generation", "due_at")[:batch_size])
        for clock_id, generation, due_at in batch:
            # Past due as well: one alert, the stronger one, is the breach's to give.
            if due_at is not None and due_at <= now:
                skipped.add(clock_id)
            elif _flag_at_risk_safely(clock_id=clock_id, generation=generation, at=now):
                flagged += 1
            else:
                skipped.add(clock_id)
        if len(batch) < batch_size:
            return flagged


def run_monitor(
    now: datetime.datetime | None = None, *, batch_size: int = BATCH_SIZE
) -> MonitorResult:
    """Flag every clock that crossed its due time (breached) or warning time (at risk).

    Breaches first, so a clock found past both is told once, as breached. Safe to run
    twice or concurrently: the second run finds nothing left. Records a heartbeat.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    token = _directory.set(StaffDirectory())
    try:
        breached = _flag_breaches(now=now, batch_size=batch_size)
        at_risk = _flag_at_risk(now=now, batch_size=batch_size)
    finally:
        _directory.reset(token)
    result = MonitorResult(
        scanned_until=now,
        breached=breached,
        at_risk=at_risk,
        duration=datetime.timedelta(seconds=time.perf_counter() - started),
    )
    _record_heartbeat(result)
    if breached or at_risk:
        logger.info("SLA monitor: %d breached, %d at risk", breached, at_risk)
    return result


# --- who hears about it --------------------------------------------------------------------------


class StaffDirectory:
    """Active staff and managers, read once and reused: one monitor run tells many tickets."""

    def __init__(self) -> None:
        self._staff: dict[int, User] | None = None
        self._manager_ids: set[int] | None = None

    @property
    def staff(self) -> dict[int, User]:
        """Active engineers and managers by id: the only people SLA news may reach."""
        if self._staff is None:
            from accounts import selectors as account_selectors

            self._staff = {user.pk: user for user in account_selectors.staff_users()}
        return self._staff

    @property
    def manager_ids(self) -> set[int]:
        if self._manager_ids is None:
            from accounts import selectors as account_selectors

            self._manager_ids = set(account_selectors.managers().values_list("pk", flat=True))
        return self._manager_ids


# Set by run_monitor for the length of a run; elsewhere each notification reads afresh.
_directory: ContextVar[StaffDirectory | None] = ContextVar("sla_staff_directory", default=None)


def _account_manager_alerted(ticket: Ticket) -> bool:
    """Premium tickets, and tickets of a Trial in evaluation (on Premium terms)."""
    terms = ticket.sla_terms or {}
    return ticket.tier == Tier.PREMIUM or bool(terms.get("in_trial"))


def sla_recipients(*, ticket: Ticket, kind: str) -> list[User]:
    """The staff to tell, each once, and never a customer or an inactive account.

    At risk: the assignee, or every engineer and manager when nobody (active) is assigned.
    Breached: the assignee, the managers and, for Premium (and trials in evaluation),
    the organization's account manager.
    """
    directory = _directory.get() or StaffDirectory()
    staff = directory.staff
    if kind == AT_RISK:
        if ticket.assignee_id in staff:
            return [staff[ticket.assignee_id]]
        return list(staff.values())
    wanted = set(directory.manager_ids)
    if ticket.assignee_id:
        wanted.add(ticket.assignee_id)
    if _account_manager_alerted(ticket) and ticket.organization.account_manager_id:
        wanted.add(ticket.organization.account_manager_id)
    return [user for pk, user in staff.items() if pk in wanted]


def clock_notify(*, clock: SLAClock, kind: str, at: datetime.datetime) -> None:
    """Tell the right people that `clock` is at risk or breached (in-app and e-mail).

    Called by the flag services inside the transaction whose conditional update won, so
    the notifications exist exactly when the flag does.
    """
    from notifications.services import notify

    ticket = clock.ticket
    key = f"clock:{clock.pk}:{kind}"
    if kind == AT_RISK:
        key += f":{clock.generation}"
    notify(
        recipients=sla_recipients(ticket=ticket, kind=kind),
        kind=kind,
        ticket=ticket,
        key=key,
        at=at,
        params={
            "ticket": ticket.reference,
            "subject": ticket.subject,
            "priority": ticket.priority,
            "organization": ticket.organization.name,
            "metric": clock.metric,
            "due": clock.due_at.isoformat() if clock.due_at else None,
        },
    )


# --- trials --------------------------------------------------------------------------------------


def trials_remind(now: datetime.datetime | None = None) -> int:
    """Tell account managers (else the managers) about trials ending within the next days.

    Once per organization and trial end date, kept by a unique row: run it daily, or
    twice, and nobody is told twice; an extended trial is reminded again. Returns how
    many trials were reminded.
    """
    from accounts import selectors as account_selectors
    from notifications.services import notify

    now = now or timezone.now()
    days = datetime.timedelta(days=settings.SLA_TRIAL_REMINDER_DAYS)
    today = now.date()
    # A day of margin each side for time zones; the exact local test is below.
    candidates = (
        Organization.objects.filter(
            tier=Tier.TRIAL,
            trial_ends_on__gte=today - datetime.timedelta(days=1),
            trial_ends_on__lte=today + days + datetime.timedelta(days=1),
        )
        .exclude(
            Exists(
                TrialReminder.objects.filter(
                    organization=OuterRef("pk"), trial_ends_on=OuterRef("trial_ends_on")
                )
            )
        )
        .select_related("account_manager")
    )
    reminded = 0
    for organization in candidates:
        assert organization.trial_ends_on is not None
        local_today = now.astimezone(ZoneInfo(organization.time_zone)).date()
        if not local_today <= organization.trial_ends_on <= local_today + days:
            continue
        manager = organization.account_manager
        recipients = (
            [manager]
            if manager is not None and manager.is_active and manager.is_engineer
            else list(account_selectors.managers())
        )
        try:
            with transaction.atomic():
                TrialReminder.objects.create(
                    organization=organization,
                    trial_ends_on=organization.trial_ends_on,
                    sent_at=now,
                )
                notify(
                    recipients=recipients,
                    kind=TRIAL_ENDING,
                    key=f"trial:{organization.pk}:{organization.trial_ends_on.isoformat()}",
                    at=now,
                    params={
                        "organization": organization.name,
                        "trial_ends_on": organization.trial_ends_on.isoformat(),
                    },
                )
        except IntegrityError:  # a concurrent run reminded this trial first
            continue
        reminded += 1
    return reminded


# --- the monitor's own health --------------------------------------------------------------------


def _record_heartbeat(result: MonitorResult) -> None:
    values = {
        "last_run_at": timezone.now(),
        "scanned_until": result.scanned_until,
        "last_duration": result.duration,
        "last_at_risk": result.at_risk,
        "last_breached": result.breached,
    }
    heartbeat = MonitorHeartbeat.objects.filter(pk=MonitorHeartbeat.SINGLETON_ID)
    if heartbeat.update(runs=F("runs") + 1, **values):
        return
    try:
        with transaction.atomic():
            MonitorHeartbeat.objects.create(pk=MonitorHeartbeat.SINGLETON_ID, runs=1, **values)
    except IntegrityError:  # a concurrent run created it
        heartbeat.update(runs=F("runs") + 1, **values)


def monitor_status(now: datetime.datetime | None = None) -> dict[str, Any]:
    """The monitor's health for dashboards and `/healthz`.

    ``degraded`` is True when no run succeeded within ``SLA_MONITOR_STALE_SECONDS``
    (default five minutes), or ever.
    """
    now = now or timezone.now()
    stale_after = datetime.timedelta(seconds=settings.SLA_MONITOR_STALE_SECONDS)
    heartbeat = MonitorHeartbeat.objects.filter(pk=MonitorHeartbeat.SINGLETON_ID).first()
    last_run_at = heartbeat.last_run_at if heartbeat else None
    return {
        "last_run_at": last_run_at,
        "degraded": last_run_at is None or now - last_run_at > stale_after,
        "stale_after_seconds": int(stale_after.total_seconds()),
        "last_duration_seconds": (
            heartbeat.last_duration.total_seconds()
            if heartbeat and heartbeat.last_duration is not None
            else None
        ),
        "last_breached": heartbeat.last_breached if heartbeat else 0,
        "last_at_risk": heartbeat.last_at_risk if heartbeat else 0,
        "runs": heartbeat.runs if heartbeat else 0,
    }
