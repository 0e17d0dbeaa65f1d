"""Per-ticket SLA clocks: the writes. Start, meet, pause, resume, recompute, flag, and the
rule that a ticket's status moves its clocks (:func:`clocks_on_status_change`).

Deadlines come from the ticket's SLA terms snapshot, so a later plan edit or tier change
never moves an existing ticket's deadline. Callers hold the ticket's row lock (every
ticket service takes it first; the flags take it themselves), so the ticket, then its
clocks, then its facts are always locked in that order. What is said about a clock lives
in :mod:`sla.explain`; who is told about a flag, in :mod:`sla.alerts`. The dashboard
facts are refreshed once by the service that called these (see :mod:`sla.facts`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Min, Subquery

from sla import alerts, facts
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.models import AlertKind, Metric, SLAClock
from tickets import workflow
from tickets.models import Event, EventKind, Status, Ticket

# Why clocks were paused, recorded on the timeline event.
PAUSED_FINISHED = "finished"
PAUSED_WAITING = "waiting_customer"
PAUSED_MERGED = "merged"


def _record(
    ticket: Ticket, kind: str, *, at: datetime.datetime, public: bool, **data: object
) -> None:
    Event.objects.record(ticket=ticket, kind=kind, at=at, public=public, data=data)


def _thresholds(
    calendar: BusinessCalendar,
    *,
    started_at: datetime.datetime,
    target: datetime.timedelta,
    warning_percent: int,
    paused: datetime.timedelta,
) -> tuple[datetime.datetime, datetime.datetime]:
    """(warn_at, due_at): when remaining business time falls below the threshold, and zero."""
    before_warning = target * (100 - warning_percent) / 100
    return (
        calendar.add(started_at, before_warning + paused),
        calendar.add(started_at, target + paused),
    )


def ticket_sync_sla(*, ticket: Ticket) -> None:
    """Copy the earliest due/warning instants of running clocks onto the ticket.

    Running means not met and not paused; a breached clock keeps its past due time,
    so overdue tickets sort first in the queue. Every clock change ends here.
    """
    running = SLAClock.objects.filter(ticket=ticket, met_at__isnull=True, paused_at__isnull=True)
    values = running.aggregate(due=Min("due_at"), warn=Min("warn_at"))
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=values["due"], sla_warn_at=values["warn"])
    ticket.sla_due_at, ticket.sla_warn_at = values["due"], values["warn"]


def clocks_start(*, ticket: Ticket) -> list[SLAClock]:
    """Start one clock per metric the ticket's plan sets for its priority (none: best effort)."""
    clocks = []
    for metric in Metric.values:
        target = sla_services.target_from_terms(
            ticket.sla_terms, priority=ticket.priority, metric=metric
        )
        if target is None:
            continue
        duration, warning_percent = target
        warn_at, due_at = _thresholds(
            sla_services.ticket_calendar(ticket.sla_terms),
            started_at=ticket.created_at,
            target=duration,
            warning_percent=warning_percent,
            paused=datetime.timedelta(0),
        )
        clocks.append(
            SLAClock.objects.create(
                ticket=ticket,
                metric=metric,
                target=duration,
                warning_percent=warning_percent,
                started_at=ticket.created_at,
                due_at=due_at,
                warn_at=warn_at,
            )
        )
        _record(
            ticket,
            EventKind.SLA_STARTED,
            at=ticket.created_at,
            public=True,
            metric=metric,
            due=due_at.isoformat(),
        )
    ticket_sync_sla(ticket=ticket)
    return clocks


def clock_meet(*, ticket: Ticket, metric: str, at: datetime.datetime) -> bool:
    """Mark the clock met (once). Met after its due time, it is also recorded as breached."""
    clock = SLAClock.objects.filter(ticket=ticket, metric=metric, met_at__isnull=True).first()
    if clock is None:
        return False
    if clock.due_at is not None and at > clock.due_at:
        _flag(clock.pk, AlertKind.BREACHED, at=at)
    calendar = sla_services.ticket_calendar(ticket.sla_terms)
    taken = calendar.elapsed(clock.started_at, at) - clock.paused_business_time
    if clock.paused_at is not None:  # met while paused: the pause so far does not count
        taken -= calendar.elapsed(clock.paused_at, at)
    updated = SLAClock.objects.filter(pk=clock.pk, met_at__isnull=True).update(
        met_at=at, paused_at=None, business_time_to_meet=max(taken, datetime.timedelta(0))
    )
    if updated:
        on_time = clock.due_at is None or at <= clock.due_at
        _record(ticket, EventKind.SLA_MET, at=at, public=True, metric=metric, on_time=on_time)
        ticket_sync_sla(ticket=ticket)
    return bool(updated)


def clocks_pause(
    *, ticket: Ticket, at: datetime.datetime, metrics: list[str] | None = None, reason: str
) -> None:
    """Pause running clocks (all, or only `metrics`): while the ticket waits on the
    customer (resolution only) or while it is solved or closed (everything left)."""
    clocks = SLAClock.objects.filter(ticket=ticket, met_at__isnull=True, paused_at__isnull=True)
    if metrics is not None:
        clocks = clocks.filter(metric__in=metrics)
    paused = list(clocks.values_list("metric", flat=True))
    if paused and clocks.update(paused_at=at, due_at=None, warn_at=None):
        for metric in paused:
            _record(ticket, EventKind.SLA_PAUSED, at=at, public=True, metric=metric, reason=reason)
        ticket_sync_sla(ticket=ticket)


def clocks_stop(*, ticket: Ticket, at: datetime.datetime, reason: str = PAUSED_MERGED) -> None:
    """Stop every running clock of a ticket that will not run again (merged into another):
    they pause with the reason on the timeline, and since such a ticket cannot be reopened
    nothing resumes them. Met clocks keep their result."""
    clocks_pause(ticket=ticket, at=at, reason=reason)


def clocks_resume(*, ticket: Ticket, at: datetime.datetime) -> None:
    """Resume paused clocks: the business time spent paused moves the deadline out."""
    clocks = SLAClock.objects.select_for_update().filter(
        ticket=ticket, met_at__isnull=True, paused_at__isnull=False
    )
    for clock in clocks:
        calendar = sla_services.ticket_calendar(ticket.sla_terms)
        assert clock.paused_at is not None
        clock.paused_business_time += calendar.elapsed(clock.paused_at, at)
        clock.warn_at, clock.due_at = _thresholds(
            calendar,
            started_at=clock.started_at,
            target=clock.target,
            warning_percent=clock.warning_percent,
            paused=clock.paused_business_time,
        )
        clock.paused_at = None
        clock.save(update_fields=["paused_business_time", "warn_at", "due_at", "paused_at"])
        _record(
            ticket,
            EventKind.SLA_RESUMED,
            at=at,
            public=True,
            metric=clock.metric,
            due=clock.due_at.isoformat(),
        )
    ticket_sync_sla(ticket=ticket)


def clocks_on_status_change(*, ticket: Ticket, old: str, new: str, at: datetime.datetime) -> None:
    """What a status change does to the clocks (the one place this rule lives).

    Solving meets the resolution clock; closing meets it unless already solved. Nothing
    runs on a solved or closed ticket (e.g. one closed before any reply): the clocks left
    pause, and resume if it is reopened. Waiting on the customer pauses the resolution
    clock only; leaving that state (or reopening) resumes what was paused.
    """
    if new == Status.SOLVED or new == Status.CLOSED and old != Status.SOLVED:
        clock_meet(ticket=ticket, metric=Metric.RESOLUTION, at=at)
    if new in workflow.FINISHED:
        clocks_pause(ticket=ticket, at=at, reason=PAUSED_FINISHED)
    elif new == Status.PENDING_CUSTOMER:
        if old in workflow.FINISHED:
            clocks_resume(ticket=ticket, at=at)
        clocks_pause(ticket=ticket, at=at, metrics=[Metric.RESOLUTION], reason=PAUSED_WAITING)
    elif old == Status.PENDING_CUSTOMER or old in workflow.FINISHED:
        clocks_resume(ticket=ticket, at=at)


def clocks_recompute(*, ticket: Ticket, at: datetime.datetime) -> list[SLAClock]:
    """After a priority change: deadlines from the ticket's creation, same calendar.

    Thresholds are re-armed (a new at-risk flag can come); a breach already
    recorded stays; a deadline already past is breached at once.
    """
    # Locked, and saved field by field below: a breach the monitor records meanwhile stays.
    existing = {
        clock.metric: clock for clock in SLAClock.objects.select_for_update().filter(ticket=ticket)
    }
    changed = []
    for metric in Metric.values:
        target = sla_services.target_from_terms(
            ticket.sla_terms, priority=ticket.priority, metric=metric
        )
        clock = existing.get(metric)
        if clock is not None and clock.met_at is not None:
            continue
        if target is None:
            if clock is not None and clock.due_at is not None:
                # The new priority has no target for this metric: the old deadline no longer runs.
                stopped_due = clock.due_at
                SLAClock.objects.filter(pk=clock.pk).update(due_at=None, warn_at=None)
                _record(
                    ticket,
                    EventKind.SLA_RECOMPUTED,
                    at=at,
                    public=True,
                    metric=metric,
                    priority=ticket.priority,
                    **{"from": stopped_due.isoformat(), "to": None},
                )
            continue
        duration, warning_percent = target
        if clock is None:
            clock = SLAClock(ticket=ticket, metric=metric, started_at=ticket.created_at)
            waiting = metric == Metric.RESOLUTION and ticket.status == Status.PENDING_CUSTOMER
            if waiting or ticket.status in workflow.FINISHED:
                clock.paused_at = at
        old_due = clock.due_at
        clock.target, clock.warning_percent = duration, warning_percent
        warn_at, due_at = _thresholds(
            sla_services.ticket_calendar(ticket.sla_terms),
            started_at=clock.started_at,
            target=duration,
            warning_percent=warning_percent,
            paused=clock.paused_business_time,
        )
        if clock.paused_at is None:
            clock.warn_at, clock.due_at = warn_at, due_at
        clock.at_risk_at = None
        if clock.pk:
            clock.generation += 1
            clock.save(
                update_fields=[
                    "target", "warning_percent", "warn_at", "due_at", "at_risk_at", "generation"
                ]
            )  # fmt: skip
        else:
            clock.save()
        changed.append(clock)
        _record(
            ticket,
            EventKind.SLA_RECOMPUTED,
            at=at,
            public=True,
            metric=metric,
            priority=ticket.priority,
            **{"from": old_due.isoformat() if old_due else None, "to": due_at.isoformat()},
        )
        if clock.due_at is not None and clock.due_at <= at:
            _flag(clock.pk, AlertKind.BREACHED, at=at)
    ticket_sync_sla(ticket=ticket)
    return changed


# --- flags: at risk and breached, each exactly once ------------------------------------------


def _lock_ticket_of(clock_id: int) -> None:
    """Lock the clock's ticket first, as every ticket service does (ticket, then its clocks,
    then its facts): a flag racing an engineer's change of the same ticket then waits for
    it, or it for the flag, instead of the two deadlocking."""
    ticket_id = SLAClock.objects.filter(pk=clock_id).values("ticket_id")
    locked = Ticket.objects.select_for_update().filter(pk=Subquery(ticket_id)).order_by()
    list(locked.values_list("pk"))


def _breach_claim(clock_id: int, at: datetime.datetime) -> int:
    # Still unmet and really due at `at`: a monitor that read the clock before a reply,
    # a pause or a later deadline (re-classification) must lose.
    return SLAClock.objects.filter(
        pk=clock_id, breached_at__isnull=True, met_at__isnull=True, due_at__lte=at
    ).update(breached_at=F("due_at"))


def _at_risk_claim(generation: int) -> Callable[[int, datetime.datetime], int]:
    def claim(clock_id: int, at: datetime.datetime) -> int:
        return SLAClock.objects.filter(
            pk=clock_id,
            generation=generation,
            at_risk_at__isnull=True,
            met_at__isnull=True,
            breached_at__isnull=True,
            warn_at__lte=at,  # and not paused (no warning time) since it was read
        ).update(at_risk_at=at)

    return claim


def _flag(
    clock_id: int,
    kind: AlertKind,
    *,
    at: datetime.datetime,
    claim: Callable[[int, datetime.datetime], int] = _breach_claim,
) -> SLAClock | None:
    """Record a flag once: the conditional update (`claim`) decides who wins; the winner
    records the timeline event and tells the right people (:mod:`sla.alerts`) in the same
    transaction, so the notifications exist exactly when the flag does. Returns the
    flagged clock for the winner, None for everyone else."""
    if not claim(clock_id, at):
        return None
    clock = SLAClock.objects.select_related("ticket__organization").get(pk=clock_id)
    _record(
        clock.ticket,
        EventKind(kind.value),
        at=at,
        public=False,
        metric=clock.metric,
        due=clock.due_at.isoformat() if clock.due_at else None,
    )
    alerts.clock_notify(clock=clock, kind=kind, at=at)
    return clock


def clock_flag_breached(*, clock_id: int, at: datetime.datetime) -> bool:
    """Record the breach of a clock exactly once (the monitor's entry point).

    Returns True only for the one caller that recorded it, which also notified.
    """
    with transaction.atomic():
        _lock_ticket_of(clock_id)
        clock = _flag(clock_id, AlertKind.BREACHED, at=at)
        if clock is None:
            return False
        facts.ticket_facts_refresh(ticket_ids=[clock.ticket_id])
    return True


def clock_flag_at_risk(*, clock_id: int, generation: int, at: datetime.datetime) -> bool:
    """Record that a clock is at risk, once per arming (generation), and notify."""
    with transaction.atomic():
        _lock_ticket_of(clock_id)
        clock = _flag(clock_id, AlertKind.AT_RISK, at=at, claim=_at_risk_claim(generation))
    return clock is not None
