"""Per-ticket SLA clocks: start, meet, pause, resume, recompute, flag, explain.

Services split from `sla/services.py` (plans and calendars) to keep each file
readable. Deadlines come from the ticket's SLA terms snapshot, so a later plan
edit or tier change never moves an existing ticket's deadline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sla import facts
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.models import Metric, Priority, SLAClock, format_duration
from sla.selectors import weekly_hours_text

if TYPE_CHECKING:
    from tickets.models import Ticket


def _record(ticket: Ticket, kind: str, *, at: datetime.datetime, public: bool, **data: Any) -> None:
    from tickets.models import Event

    Event.objects.create(ticket=ticket, kind=kind, data=data, is_public=public, created_at=at)


def _calendar(ticket: Ticket) -> BusinessCalendar:
    calendar = sla_services.calendar_from_terms(ticket.sla_terms)
    assert calendar is not None, "a ticket with targets has a calendar"
    return calendar


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
    so overdue tickets sort first in the queue. Every clock change ends here, so the
    ticket's dashboard facts are recomputed here too.
    """
    from django.db.models import Min

    from tickets.models import Ticket as TicketModel

    running = SLAClock.objects.filter(ticket=ticket, met_at__isnull=True, paused_at__isnull=True)
    values = running.aggregate(due=Min("due_at"), warn=Min("warn_at"))
    TicketModel.objects.filter(pk=ticket.pk).update(
        sla_due_at=values["due"], sla_warn_at=values["warn"]
    )
    ticket.sla_due_at, ticket.sla_warn_at = values["due"], values["warn"]
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])


def clocks_start(*, ticket: Ticket) -> list[SLAClock]:
    """Start one clock per metric the ticket's plan sets for its priority (none: best effort)."""
    from tickets.models import EventKind

    clocks = []
    for metric in Metric.values:
        target = sla_services.target_from_terms(
            ticket.sla_terms, priority=ticket.priority, metric=metric
        )
        if target is None:
            continue
        duration, warning_percent = target
        warn_at, due_at = _thresholds(
            _calendar(ticket),
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
    from tickets.models import EventKind

    clock = SLAClock.objects.filter(ticket=ticket, metric=metric, met_at__isnull=True).first()
    if clock is None:
        return False
    if clock.due_at is not None and at > clock.due_at:
        clock_flag_breached(clock_id=clock.pk, at=at)
    calendar = _calendar(ticket)
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
    from tickets.models import EventKind

    clocks = SLAClock.objects.filter(ticket=ticket, met_at__isnull=True, paused_at__isnull=True)
    if metrics is not None:
        clocks = clocks.filter(metric__in=metrics)
    paused = list(clocks.values_list("metric", flat=True))
    if paused and clocks.update(paused_at=at, due_at=None, warn_at=None):
        for metric in paused:
            _record(ticket, EventKind.SLA_PAUSED, at=at, public=True, metric=metric, reason=reason)
        ticket_sync_sla(ticket=ticket)


def clocks_resume(*, ticket: Ticket, at: datetime.datetime) -> None:
    """Resume paused clocks: the business time spent paused moves the deadline out."""
    from tickets.models import EventKind

    clocks = SLAClock.objects.select_for_update().filter(
        ticket=ticket, met_at__isnull=True, paused_at__isnull=False
    )
    for clock in clocks:
        calendar = _calendar(ticket)
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


def clocks_recompute(*, ticket: Ticket, at: datetime.datetime) -> list[SLAClock]:
    """After a priority change: deadlines from the ticket's creation, same calendar.

    Thresholds are re-armed (a new at-risk flag can come); a breach already
    recorded stays; a deadline already past is breached at once.
    """
    from tickets.models import EventKind, Status

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
                old_due = clock.due_at
                SLAClock.objects.filter(pk=clock.pk).update(due_at=None, warn_at=None)
                _record(
                    ticket,
                    EventKind.SLA_RECOMPUTED,
                    at=at,
                    public=True,
                    metric=metric,
                    priority=ticket.priority,
                    **{"from": old_due.isoformat(), "to": None},
                )
            continue
        duration, warning_percent = target
        if clock is None:
            clock = SLAClock(ticket=ticket, metric=metric, started_at=ticket.created_at)
            waiting = metric == Metric.RESOLUTION and ticket.status == Status.PENDING_CUSTOMER
            if waiting or ticket.status in (Status.SOLVED, Status.CLOSED):
                clock.paused_at = at
        old_due = clock.due_at
        clock.target, clock.warning_percent = duration, warning_percent
        warn_at, due_at = _thresholds(
            _calendar(ticket),
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
            clock_flag_breached(clock_id=clock.pk, at=at)
    ticket_sync_sla(ticket=ticket)
    return changed


def _lock_ticket_of(clock_id: int) -> None:
    """Lock the clock's ticket first, as every ticket service does (ticket, then its clocks,
    then its facts): a flag racing an engineer's change of the same ticket then waits for
    it, or it for the flag, instead of the two deadlocking."""
    from django.db.models import Subquery

    from tickets.models import Ticket as TicketModel

    ticket_id = SLAClock.objects.filter(pk=clock_id).values("ticket_id")
    locked = TicketModel.objects.select_for_update().filter(pk=Subquery(ticket_id)).order_by()
    list(locked.values_list("pk"))


def clock_flag_breached(*, clock_id: int, at: datetime.datetime) -> bool:
    """Record the breach of a clock exactly once (a conditional update decides).

    Returns True only for the one caller that recorded it, which also notifies.
    """
    from sla import monitor
    from tickets.models import EventKind

    with transaction.atomic():
        _lock_ticket_of(clock_id)
        # Still unmet and really due at `at`: a monitor that read the clock before a
        # reply, a pause or a later deadline (re-classification) must lose.
        updated = SLAClock.objects.filter(
            pk=clock_id, breached_at__isnull=True, met_at__isnull=True, due_at__lte=at
        ).update(breached_at=F("due_at"))
        if not updated:
            return False
        clock = SLAClock.objects.select_related("ticket__organization").get(pk=clock_id)
        facts.ticket_facts_refresh(ticket_ids=[clock.ticket_id])
        _record(
            clock.ticket,
            EventKind.SLA_BREACHED,
            at=at,
            public=False,
            metric=clock.metric,
            due=clock.due_at.isoformat() if clock.due_at else None,
        )
        monitor.clock_notify(clock=clock, kind=EventKind.SLA_BREACHED, at=at)
    return True


def clock_flag_at_risk(*, clock_id: int, generation: int, at: datetime.datetime) -> bool:
    """Record that a clock is at risk, once per arming (generation), and notify."""
    from sla import monitor
    from tickets.models import EventKind

    with transaction.atomic():
        _lock_ticket_of(clock_id)
        updated = SLAClock.objects.filter(
            pk=clock_id,
            generation=generation,
            at_risk_at__isnull=True,
            met_at__isnull=True,
            breached_at__isnull=True,
            warn_at__lte=at,  # and not paused (no warning time) since it was read
        ).update(at_risk_at=at)
        if not updated:
            return False
        clock = SLAClock.objects.select_related("ticket__organization").get(pk=clock_id)
        _record(
            clock.ticket,
            EventKind.SLA_AT_RISK,
            at=at,
            public=False,
            metric=clock.metric,
            due=clock.due_at.isoformat() if clock.due_at else None,
        )
        monitor.clock_notify(clock=clock, kind=EventKind.SLA_AT_RISK, at=at)
    return True


# --- Explanations ---------------------------------------------------------------


def describe_weekly_hours(weekly_hours: dict[str, list[list[str]]]) -> str:
    """`Monday to Friday 08:00–17:00` for a snapshot's weekly hours."""
    by_day = {
        int(day): [f"{start}–{end}" for start, end in spans] for day, spans in weekly_hours.items()
    }
    return weekly_hours_text(by_day)


def zone_label(zone: str) -> str:
    """`America/Sao_Paulo` reads `Sao Paulo time`."""
    return _("%(city)s time") % {"city": zone.rsplit("/", 1)[-1].replace("_", " ")}


@dataclass
class ClockExplanation:
    """Everything a person needs to trust a deadline."""

    clock: SLAClock
    metric_label: str
    plan_name: str
    priority: str
    target_text: str
    is_24x7: bool
    time_zone: str
    hours_text: str
    started_at: datetime.datetime
    due_at: datetime.datetime | None
    state: str
    remaining: datetime.timedelta | None
    closed_time_skipped: datetime.timedelta | None
    holidays_skipped: list[tuple[datetime.date, str]] = field(default_factory=list)
    sentence: str = ""


def explain_clock(clock: SLAClock, *, ticket: Ticket, now: datetime.datetime) -> ClockExplanation:
    """Explain one clock: plan, priority, target, calendar, what was skipped, started, due."""
    terms = ticket.sla_terms
    calendar_terms = terms.get("calendar") or {}
    is_24x7 = bool(calendar_terms.get("is_24x7"))
    zone = calendar_terms.get("time_zone") or ticket.organization.time_zone
    calendar = _calendar(ticket)
    due = clock.due_at
    holidays: list[tuple[datetime.date, str]] = []
    closed: datetime.timedelta | None = None
    remaining: datetime.timedelta | None = None
    if due is not None:
        if not is_24x7:
            names = calendar_terms.get("holiday_names") or {}
            local = ZoneInfo(zone)
            first_day = clock.started_at.astimezone(local).date()
            last_day = due.astimezone(local).date()
            holidays = [
                (day, names.get(day.isoformat(), ""))
                for day in sorted(calendar.holidays)
                if first_day <= day <= last_day
            ]
            closed = (due - clock.started_at) - calendar.elapsed(clock.started_at, due)
        if clock.met_at is None:
            remaining = calendar.elapsed(now, due) if due > now else -calendar.elapsed(due, now)
    hours_text = (
        _("24 hours a day, 7 days a week")
        if is_24x7
        else describe_weekly_hours(calendar_terms.get("weekly_hours") or {})
    )
    explanation = ClockExplanation(
        clock=clock,
        metric_label=str(Metric(clock.metric).label),
        plan_name=terms.get("plan_name", ""),
        priority=ticket.priority,
        target_text=format_duration(clock.target),
        is_24x7=is_24x7,
        time_zone=zone,
        hours_text=hours_text,
        started_at=clock.started_at,
        due_at=due,
        state=clock.state_at(now),
        remaining=remaining,
        closed_time_skipped=closed,
        holidays_skipped=holidays,
    )
    explanation.sentence = _customer_sentence(explanation, ticket=ticket)
    return explanation


def _local(value: datetime.datetime, zone: str) -> str:
    return formats.date_format(value.astimezone(ZoneInfo(zone)), "l H:i")


def _customer_sentence(explanation: ClockExplanation, *, ticket: Ticket) -> str:
    params = {
        "priority": explanation.priority,
        "plan": explanation.plan_name,
        "target": explanation.target_text,
        "hours": explanation.hours_text,
        "zone": zone_label(explanation.time_zone),
        "filed": _local(ticket.created_at, explanation.time_zone),
    }
    if explanation.due_at is None:
        return (
            _(
                "%(priority)s on the %(plan)s plan: %(target)s; the clock is paused while we "
                "wait for your reply."
            )
            % params
        )
    params["due"] = _local(explanation.due_at, explanation.time_zone)
    if explanation.is_24x7:
        return (
            _(
                "%(priority)s on the %(plan)s plan: %(target)s, around the clock; "
                "filed %(filed)s, so due %(due)s (%(zone)s)."
            )
            % params
        )
    sentence = (
        _(
            "%(priority)s on the %(plan)s plan: %(target)s of business hours, %(hours)s "
            "%(zone)s; filed %(filed)s, so due %(due)s."
        )
        % params
    )
    if explanation.holidays_skipped:
        count = len(explanation.holidays_skipped)
        sentence += " " + ngettext(
            "The clock skips %(count)d holiday.", "The clock skips %(count)d holidays.", count
        ) % {"count": count}
    return sentence


def ticket_clocks_explained(*, ticket: Ticket) -> list[ClockExplanation]:
    """Every clock of the ticket, explained, first response first."""
    now = timezone.now()
    clocks = sorted(ticket.clocks.all(), key=lambda c: Metric.values.index(c.metric))
    return [explain_clock(clock, ticket=ticket, now=now) for clock in clocks]


def first_response_promises(terms: dict[str, Any]) -> dict[str, str]:
    """What the customer is promised per priority under these terms, in plain words."""
    calendar_terms = terms.get("calendar") or {}
    targets = sla_services.first_response_targets_text(terms)
    promises = {}
    for priority in Priority.values:
        target = targets.get(priority)
        if target is None:
            promises[priority] = _("Best effort: %(plan)s support has no response-time target.") % {
                "plan": terms.get("plan_name", "")
            }
        elif calendar_terms.get("is_24x7"):
            promises[priority] = _("We respond within %(target)s, around the clock.") % {
                "target": target
            }
        else:
            promises[priority] = _(
                "We respond within %(target)s of business hours (%(hours)s, %(zone)s)."
            ) % {
                "target": target,
                "hours": describe_weekly_hours(calendar_terms.get("weekly_hours") or {}),
                "zone": zone_label(calendar_terms.get("time_zone") or "UTC"),
            }
    return promises
