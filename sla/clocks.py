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
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Subquery

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


def clocks_planned(*, ticket: Ticket) -> list[SLAClock]:
    """The clocks (unsaved) a new ticket starts: one per metric its plan sets for its
    priority (none: best effort), running from its creation. The ticket need not be
    saved yet, so its creation can write its SLA instants with it (see
    :func:`earliest_instants`) and then its clocks in one INSERT (:func:`clocks_start`)."""
    planned = []
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
        planned.append(
            SLAClock(
                metric=metric,
                target=duration,
                warning_percent=warning_percent,
                started_at=ticket.created_at,
                due_at=due_at,
                warn_at=warn_at,
            )
        )
    return planned


def earliest_instants(
    clocks: list[SLAClock],
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(due, warn): the earliest due and warning instants of these running clocks, the
    values :func:`ticket_sync_sla` would copy onto their ticket."""
    dues = [clock.due_at for clock in clocks if clock.due_at is not None]
    warns = [clock.warn_at for clock in clocks if clock.warn_at is not None]
    return (min(dues) if dues else None, min(warns) if warns else None)


def clocks_start(*, ticket: Ticket, planned: list[SLAClock]) -> list[Event]:
    """Save a new ticket's planned clocks (one INSERT) and return their timeline events,
    unsaved, for the caller to write with its own in one INSERT. The ticket already
    carries the clocks' earliest instants (:func:`earliest_instants`)."""
    for clock in planned:
        clock.ticket = ticket
    SLAClock.objects.bulk_create(planned)
    return [
        Event(
            ticket=ticket,
            kind=EventKind.SLA_STARTED,
            actor=None,
            data={"metric": clock.metric, "due": clock.due_at.isoformat()},
            is_public=True,
            created_at=ticket.created_at,
            version=None,
        )
        for clock in planned
        if clock.due_at is not None
    ]


def clock_meet(*, ticket: Ticket, metric: str, at: datetime.datetime) -> bool:
    """Mark the clock met (once). Met after its due time, it is also recorded as breached."""
    clock = SLAClock.objects.filter(ticket=ticket, metric=metric, met_at__isnull=True).first()
    if clock is None:
        return False
    if clock.due_at is not None and at > clock.due_at:
        _flag_breached_within(clock.pk, at)
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
            _flag_breached_within(clock.pk, at)
    ticket_sync_sla(ticket=ticket)
    return changed


# --- flags: at risk and breached, each exactly once, in sets -----------------------------------
# A conditional UPDATE ... RETURNING decides who wins each clock; the winner records the
# timeline events and tells the right people (:mod:`sla.alerts`) in the same transaction,
# so the notifications exist exactly when the flags do. The monitor flags whole batches;
# a reply met late or a re-classification to a past deadline flags one clock the same way.


def _lock_tickets_of(clock_ids: list[int]) -> None:
    """Lock the tickets of these clocks, in id order (two monitors locking overlapping
    batches then wait for each other instead of deadlocking; a ticket service holds one
    ticket, then its clocks, so it never waits for a lock while holding one we need)."""
    ticket_ids = SLAClock.objects.filter(pk__in=clock_ids).values("ticket_id")
    locked = Ticket.objects.select_for_update().filter(pk__in=Subquery(ticket_ids)).order_by("pk")
    list(locked.values_list("pk"))


def _claim_returning(sql: str, params: list[Any]) -> list[int]:
    """Run one conditional UPDATE ... RETURNING id (PostgreSQL and SQLite 3.35+): the ids
    it returns are the clocks this caller won, whatever other transactions do."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _breach_claims(clock_ids: list[int], at: datetime.datetime) -> list[int]:
    # Still unmet and really due at `at`: a monitor that read the clock before a reply,
    # a pause or a later deadline (re-classification) must lose.
    table = SLAClock._meta.db_table
    return _claim_returning(
        f"UPDATE {table} SET breached_at = due_at "  # noqa: S608 (no input in the SQL)
        f"WHERE id IN ({', '.join(['%s'] * len(clock_ids))}) AND breached_at IS NULL "
        "AND met_at IS NULL AND due_at <= %s RETURNING id",
        [*clock_ids, connection.ops.adapt_datetimefield_value(at)],
    )


def _at_risk_claims(armed: list[tuple[int, int]], at: datetime.datetime) -> list[int]:
    # Each clock with the generation it was read at (a re-arming since makes it lose), and
    # still past its warning time (not paused, which clears it, since it was read).
    table = SLAClock._meta.db_table
    rows = ", ".join(["(%s, %s)"] * len(armed))
    moment = connection.ops.adapt_datetimefield_value(at)
    return _claim_returning(
        f"UPDATE {table} SET at_risk_at = %s "  # noqa: S608 (no input in the SQL)
        f"WHERE (id, generation) IN (VALUES {rows}) AND at_risk_at IS NULL "
        "AND met_at IS NULL AND breached_at IS NULL AND warn_at <= %s RETURNING id",
        [moment, *(value for pair in armed for value in pair), moment],
    )


# What the events and alerts of a flag read: not the tickets' wide text columns.
ALERTED_FIELDS = (
    "ticket_id", "metric", "due_at", "generation",
    "ticket__subject", "ticket__priority", "ticket__tier", "ticket__sla_terms",
    "ticket__assignee_id", "ticket__organization_id",
    "ticket__organization__name", "ticket__organization__account_manager_id",
)  # fmt: skip


def _record_flags(clock_ids: list[int], kind: AlertKind, at: datetime.datetime) -> list[SLAClock]:
    """The winner's share of a batch: one timeline event per flagged clock (one INSERT)
    and the alerts (one INSERT of notifications, one of e-mails)."""
    flagged = list(
        SLAClock.objects.select_related("ticket__organization")
        .only(*ALERTED_FIELDS)
        .filter(pk__in=clock_ids)
        .order_by("pk")
    )
    Event.objects.bulk_create(
        Event(
            ticket=clock.ticket,
            kind=EventKind(kind.value),
            created_at=at,
            is_public=False,
            data={
                "metric": clock.metric,
                "due": clock.due_at.isoformat() if clock.due_at else None,
            },
        )
        for clock in flagged
    )
    alerts.clocks_notify(clocks=flagged, kind=kind, at=at)
    return flagged


def clocks_flag_breached(*, clock_ids: list[int], at: datetime.datetime) -> list[int]:
    """Record the breach of each of these clocks exactly once, the whole batch in one
    transaction: the tickets locked (in id order), one conditional UPDATE ... RETURNING
    claims the clocks still unmet and really due, and only those are recorded, notified
    and refreshed in the facts (one statement). Returns the ids this caller flagged; a
    clock met, paused, moved or flagged by someone else meanwhile is not among them."""
    if not clock_ids:
        return []
    with transaction.atomic():
        _lock_tickets_of(clock_ids)
        won = _breach_claims(clock_ids, at)
        if not won:
            return []
        flagged = _record_flags(won, AlertKind.BREACHED, at)
        facts.ticket_facts_refresh(ticket_ids=[clock.ticket_id for clock in flagged])
    return won


def clocks_flag_at_risk(*, armed: list[tuple[int, int]], at: datetime.datetime) -> list[int]:
    """Record that each of these clocks (``(id, generation)`` as read) is at risk, once per
    arming, the batch in one transaction as :func:`clocks_flag_breached` does."""
    if not armed:
        return []
    with transaction.atomic():
        _lock_tickets_of([clock_id for clock_id, _generation in armed])
        won = _at_risk_claims(armed, at)
        if won:
            _record_flags(won, AlertKind.AT_RISK, at)
    return won


def clock_flag_breached(*, clock_id: int, at: datetime.datetime) -> bool:
    """Record the breach of one clock exactly once (see :func:`clocks_flag_breached`).

    Returns True only for the one caller that recorded it, which also notified.
    """
    return bool(clocks_flag_breached(clock_ids=[clock_id], at=at))


def clock_flag_at_risk(*, clock_id: int, generation: int, at: datetime.datetime) -> bool:
    """Record that a clock is at risk, once per arming (generation), and notify."""
    return bool(clocks_flag_at_risk(armed=[(clock_id, generation)], at=at))


def _flag_breached_within(clock_id: int, at: datetime.datetime) -> None:
    """Flag one clock breached inside the caller's transaction, which holds its ticket's
    lock and refreshes the facts itself (a late reply, a past deadline after a change)."""
    if _breach_claims([clock_id], at):
        _record_flags([clock_id], AlertKind.BREACHED, at)
