"""The breach monitor: find clocks that crossed their warning or due time, flag each once.

Celery beat runs :func:`run_monitor` every ``SLA_MONITOR_INTERVAL_SECONDS`` through
:mod:`sla.tasks`; it needs no Celery to run or test. Each run selects clock ids by the
predicates of the partial indexes ``slaclock_running_due`` and ``slaclock_running_warn``
(so its cost follows the number of crossings, not the number of clocks), in bounded
batches, and flags each batch through :func:`sla.clocks.clocks_flag_breached` /
:func:`sla.clocks.clocks_flag_at_risk`: one transaction per batch, whose conditional
``UPDATE ... RETURNING`` lets exactly one caller win each clock. The winner records the
timeline events and notifies (:mod:`sla.alerts`) in the same transaction, a few set-based
statements per batch whatever its size, so two monitors at once, or a retried task, tell
nobody twice. A batch that fails is retried clock by clock, so one bad clock stops none
of the others. The
monitor's heartbeat (:func:`monitor_status`) tells `/readyz` and the dashboard it runs.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from sla import alerts, clocks
from sla.models import MonitorHeartbeat, SLAClock

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


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


def _flag_breach_batch(batch: list[int], now: datetime.datetime) -> list[int]:
    try:
        return clocks.clocks_flag_breached(clock_ids=batch, at=now)
    except Exception:  # one bad clock must not stop the run: flag this batch one by one
        logger.exception("Breach monitor: flagging a batch failed; retrying clock by clock")
    won = []
    for clock_id in batch:
        try:
            if clocks.clock_flag_breached(clock_id=clock_id, at=now):
                won.append(clock_id)
        except Exception:
            logger.exception("Breach monitor: flagging clock %s failed", clock_id)
    return won


def _flag_breaches(*, now: datetime.datetime, batch_size: int) -> int:
    flagged, lost = 0, set[int]()
    while True:
        candidates = clocks_past_due(now=now)
        if lost:
            candidates = candidates.exclude(pk__in=lost)
        batch = list(candidates.values_list("pk", flat=True)[:batch_size])
        won = _flag_breach_batch(batch, now)
        flagged += len(won)
        # Another monitor, a reply or a pause got there first (or the clock failed).
        lost.update(set(batch) - set(won))
        if len(batch) < batch_size:
            return flagged


def _flag_at_risk_batch(armed: list[tuple[int, int]], now: datetime.datetime) -> list[int]:
    try:
        return clocks.clocks_flag_at_risk(armed=armed, at=now)
    except Exception:  # one bad clock must not stop the run: flag this batch one by one
        logger.exception("Breach monitor: flagging a batch at risk failed; retrying one by one")
    won = []
    for clock_id, generation in armed:
        try:
            if clocks.clock_flag_at_risk(clock_id=clock_id, generation=generation, at=now):
                won.append(clock_id)
        except Exception:
            logger.exception("Breach monitor: flagging clock %s at risk failed", clock_id)
    return won


def _flag_at_risk(*, now: datetime.datetime, batch_size: int) -> int:
    flagged, skipped = 0, set[int]()
    while True:
        candidates = clocks_past_warning(now=now)
        if skipped:
            candidates = candidates.exclude(pk__in=skipped)
        batch = list(candidates.values_list("pk", "generation", "due_at")[:batch_size])
        # Past due as well: one alert, the stronger one, is the breach's to give.
        armed = [
            (clock_id, generation)
            for clock_id, generation, due_at in batch
            if due_at is None or due_at > now
        ]
        won = _flag_at_risk_batch(armed, now)
        flagged += len(won)
        skipped.update({clock_id for clock_id, _generation, _due in batch} - set(won))
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
    with alerts.shared_staff_directory():
        breached = _flag_breaches(now=now, batch_size=batch_size)
        at_risk = _flag_at_risk(now=now, batch_size=batch_size)
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
    """The monitor's health for dashboards and `/readyz`.

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
