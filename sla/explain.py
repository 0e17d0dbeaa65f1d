"""Every sentence the product says about a clock, a target, a duration or an instant.

Staff and customers read deadlines here and nowhere else, so what they are told cannot
drift apart: one duration formatter (two styles), one instant formatter that names the
zone whenever it is not the viewer's, and the sentences for each state a clock can be
in (running, at risk, overdue, met on time or late, paused while waiting on the
customer, stopped because the ticket was solved or closed).

Durations are never negative on screen: an overdue clock says "overdue by", and says
whether the time is business time (a business-hours calendar) or around the clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from accounts.models import zone_label as zone_label  # re-exported: the one zone name
from sla import seeded, selectors
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.models import Metric, Priority, SLAClock
from tickets.models import Status, Ticket

DurationStyle = Literal["compact", "words"]

# Why a clock does not run: the ticket's state decides, so the reason is always current.
STOPPED_MET = "met"
STOPPED_SOLVED = "solved"
STOPPED_CLOSED = "closed"
STOPPED_WAITING = "waiting"
STOPPED_MERGED = "merged"


# --- durations and instants ------------------------------------------------------------


def format_duration(duration: datetime.timedelta, *, style: DurationStyle = "compact") -> str:
    """A duration, never negative: the caller words the direction ("overdue by", "left").

    ``compact`` is how a manager writes a target (``"1h 30m"``, ``"15m"``, ``"24h"``,
    seconds only when there are some); ``words`` reads in a sentence or a countdown, to
    the minute (``"42 min"``, ``"1 h 10 min"``, ``"26 h"``). A negative duration is
    shown by its size: ``divmod`` on negative seconds would give wrong hours and minutes.
    """
    total = abs(int(duration.total_seconds()))
    if style == "words":
        hours, minutes = divmod(total // 60, 60)
        if not hours:
            return _("%(minutes)d min") % {"minutes": minutes}
        if not minutes:
            return _("%(hours)d h") % {"hours": hours}
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(_("%(count)dh") % {"count": hours})
    if minutes:
        parts.append(_("%(count)dm") % {"count": minutes})
    if seconds or not parts:
        parts.append(_("%(count)ds") % {"count": seconds})
    return " ".join(parts)


def viewer_zone() -> str:
    """The zone the viewer sees times in (activated per request and per e-mail)."""
    return timezone.get_current_timezone_name()


def format_instant(value: datetime.datetime, *, zone: str | None = None) -> str:
    """One date-and-time style everywhere: ``Tue 1 Dec 2026, 13:14``.

    Shown in `zone` (default: the viewer's), and followed by the zone's name when that
    is not the viewer's own zone, so no time on screen is ambiguous.
    """
    shown_in = zone or viewer_zone()
    text = formats.date_format(value.astimezone(ZoneInfo(shown_in)), "DATETIME_FORMAT")
    if shown_in != viewer_zone():
        text = _("%(time)s (%(zone)s)") % {"time": text, "zone": zone_label(shown_in)}
    return text


def format_instant_named(value: datetime.datetime, *, zone: str | None = None) -> str:
    """:func:`format_instant`, always followed by the zone's name: ``Tue 1 Dec 2026, 13:14
    (São Paulo time)``. For e-mail, read away from the page that says whose zone it is."""
    shown_in = zone or viewer_zone()
    text = formats.date_format(value.astimezone(ZoneInfo(shown_in)), "DATETIME_FORMAT")
    return _("%(time)s (%(zone)s)") % {"time": text, "zone": zone_label(shown_in)}


def describe_weekly_hours(weekly_hours: Mapping[str, Sequence[Sequence[str]]]) -> str:
    """`Monday to Friday 08:00–17:00` for a snapshot's weekly hours."""
    by_day = {
        int(day): [f"{start}–{end}" for start, end in spans] for day, spans in weekly_hours.items()
    }
    return selectors.weekly_hours_text(by_day)


# --- what a clock's state is, and why ----------------------------------------------------


def stopped_reason(clock: SLAClock, *, ticket: Ticket) -> str | None:
    """Why the clock is not running now (None: it runs): met, merged, solved, closed or
    waiting."""
    if clock.met_at is not None:
        return STOPPED_MET
    if clock.paused_at is None:
        return None
    if ticket.merged_into_id is not None:
        return STOPPED_MERGED
    if ticket.status == Status.SOLVED:
        return STOPPED_SOLVED
    if ticket.status == Status.CLOSED:
        return STOPPED_CLOSED
    return STOPPED_WAITING


def _time_basis(*, is_24x7: bool) -> str:
    return _("around the clock") if is_24x7 else _("of business hours")


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
    stopped: str | None
    remaining: datetime.timedelta | None  # business time left, never negative
    overdue_by: datetime.timedelta | None  # business time past due, while still unmet
    closed_time_skipped: datetime.timedelta | None
    holidays_skipped: list[tuple[datetime.date, str]] = field(default_factory=list)
    sentence: str = ""  # for the customer
    status_text: str = ""  # one line for staff and customers: due, overdue, met, stopped

    @property
    def time_basis(self) -> str:
        """``of business hours`` or ``around the clock``: which time the durations count."""
        return _time_basis(is_24x7=self.is_24x7)

    @property
    def remaining_text(self) -> str:
        if self.overdue_by is not None:
            return _("overdue by %(span)s %(basis)s") % {
                "span": format_duration(self.overdue_by, style="words"),
                "basis": self.time_basis,
            }
        if self.remaining is not None:
            return _("%(span)s left %(basis)s") % {
                "span": format_duration(self.remaining, style="words"),
                "basis": self.time_basis,
            }
        return ""


def explain_clock(clock: SLAClock, *, ticket: Ticket, now: datetime.datetime) -> ClockExplanation:
    """Explain one clock: plan, priority, target, calendar, what was skipped, its state."""
    terms = ticket.sla_terms
    calendar_terms = terms.get("calendar") or {}
    is_24x7 = bool(calendar_terms.get("is_24x7"))
    zone = calendar_terms.get("time_zone") or ticket.organization.time_zone
    calendar = sla_services.ticket_calendar(terms)
    due = clock.due_at
    holidays: list[tuple[datetime.date, str]] = []
    closed: datetime.timedelta | None = None
    remaining: datetime.timedelta | None = None
    overdue_by: datetime.timedelta | None = None
    if due is not None:
        if not is_24x7:
            names = calendar_terms.get("holiday_names") or {}
            local = ZoneInfo(zone)
            first_day = clock.started_at.astimezone(local).date()
            last_day = due.astimezone(local).date()
            # Public holidays named in the viewer's language (the snapshot has the
            # country's own); a manager's own holiday keeps the name it was given.
            public = (
                selectors.public_holidays(
                    country=calendar_terms.get("country") or "",
                    subdivision=calendar_terms.get("subdivision") or "",
                    years=range(first_day.year, last_day.year + 1),
                    language=to_locale(get_language() or "en"),
                )
                if calendar_terms.get("uses_public_holidays")
                else {}
            )
            holidays = [
                (day, public.get(day) or names.get(day.isoformat(), ""))
                for day in sorted(calendar.holidays)
                if first_day <= day <= last_day
            ]
            closed = (due - clock.started_at) - calendar.elapsed(clock.started_at, due)
        if clock.met_at is None:
            if due > now:
                remaining = calendar.elapsed(now, due)
            else:
                overdue_by = calendar.elapsed(due, now)
    hours_text = (
        _("24 hours a day, 7 days a week")
        if is_24x7
        else describe_weekly_hours(calendar_terms.get("weekly_hours") or {})
    )
    explanation = ClockExplanation(
        clock=clock,
        metric_label=str(Metric(clock.metric).label),
        plan_name=seeded.shown(terms.get("plan_name", "")),
        priority=ticket.priority,
        target_text=format_duration(clock.target),
        is_24x7=is_24x7,
        time_zone=zone,
        hours_text=hours_text,
        started_at=clock.started_at,
        due_at=due,
        state=clock.state_at(now),
        stopped=stopped_reason(clock, ticket=ticket),
        remaining=remaining,
        overdue_by=overdue_by,
        closed_time_skipped=closed,
        holidays_skipped=holidays,
    )
    explanation.status_text = _status_text(explanation, ticket=ticket)
    explanation.sentence = _customer_sentence(explanation, ticket=ticket)
    return explanation


def _stopped_text(explanation: ClockExplanation, *, ticket: Ticket) -> str:
    clock = explanation.clock
    if explanation.stopped == STOPPED_MET:
        assert clock.met_at is not None
        met = format_instant(clock.met_at)
        if clock.breached_at is not None:
            return _("Met late, %(met)s (it was due %(due)s).") % {
                "met": met,
                "due": format_instant(clock.breached_at),
            }
        return _("Met on time, %(met)s.") % {"met": met}
    if explanation.stopped == STOPPED_MERGED:
        return _("Stopped: the ticket was merged into %(ticket)s, which keeps its own clocks.") % {
            "ticket": f"#{ticket.merged_into_id}"
        }
    if explanation.stopped == STOPPED_SOLVED:
        return _("Stopped: the ticket was solved.")
    if explanation.stopped == STOPPED_CLOSED:
        return _("Stopped: the ticket was closed.")
    return _("Paused while we wait for the customer's reply.")


def _status_text(explanation: ClockExplanation, *, ticket: Ticket) -> str:
    """One line on the clock's state: due when, overdue since when, met or why stopped."""
    if explanation.stopped is not None:
        return _stopped_text(explanation, ticket=ticket)
    assert explanation.due_at is not None
    due = format_instant(explanation.due_at)
    if explanation.overdue_by is not None:
        return _("Overdue since %(due)s: %(late)s.") % {
            "due": due,
            "late": explanation.remaining_text,
        }
    return _("Due %(due)s: %(left)s.") % {"due": due, "left": explanation.remaining_text}


def _customer_sentence(explanation: ClockExplanation, *, ticket: Ticket) -> str:
    """What the customer reads about one clock: never a promise of a time already past."""
    zone = explanation.time_zone
    params = {
        "priority": explanation.priority,
        "plan": explanation.plan_name,
        "target": explanation.target_text,
        "hours": explanation.hours_text,
        "zone": zone_label(zone),
        "filed": format_instant(ticket.created_at, zone=zone),
        "metric": explanation.metric_label,
    }
    clock = explanation.clock
    if explanation.stopped == STOPPED_MET:
        assert clock.met_at is not None
        params["met"] = format_instant(clock.met_at, zone=zone)
        if clock.breached_at is not None:
            params["due"] = format_instant(clock.breached_at, zone=zone)
            return (
                _(
                    "%(metric)s target (%(target)s on the %(plan)s plan) met late: due "
                    "%(due)s, met %(met)s."
                )
                % params
            )
        return _("%(metric)s target (%(target)s on the %(plan)s plan) met on time, %(met)s.") % (
            params
        )
    if explanation.stopped == STOPPED_MERGED:
        params["into"] = f"#{ticket.merged_into_id}"
        return (
            _(
                "%(metric)s target: %(target)s on the %(plan)s plan. The clock stopped when this "
                "ticket was merged into %(into)s; the conversation continues there."
            )
            % params
        )
    if explanation.stopped == STOPPED_WAITING:
        return (
            _(
                "%(metric)s target: %(target)s on the %(plan)s plan. The clock is paused while "
                "we wait for your reply; it resumes when you answer."
            )
            % params
        )
    if explanation.stopped in (STOPPED_SOLVED, STOPPED_CLOSED):
        text = (
            _(
                "%(metric)s target: %(target)s on the %(plan)s plan. The clock stopped when the "
                "ticket was solved; it resumes if the ticket is reopened."
            )
            if explanation.stopped == STOPPED_SOLVED
            else _(
                "%(metric)s target: %(target)s on the %(plan)s plan. The clock stopped when the "
                "ticket was closed; it resumes if the ticket is reopened."
            )
        )
        return text % params
    assert explanation.due_at is not None
    params["due"] = format_instant(explanation.due_at, zone=zone)
    if explanation.overdue_by is not None:
        params["late"] = format_duration(explanation.overdue_by, style="words")
        params["basis"] = explanation.time_basis
        return (
            _(
                "%(metric)s target missed: it was due %(due)s, and we are now overdue by "
                "%(late)s %(basis)s. The breach has been flagged to the support team and "
                "managers, who handle overdue tickets first."
            )
            % params
        )
    if explanation.is_24x7:
        return (
            _(
                "%(priority)s on the %(plan)s plan: %(target)s, around the clock; "
                "filed %(filed)s, so due %(due)s."
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


def ticket_clocks_explained(
    *, ticket: Ticket, now: datetime.datetime | None = None
) -> list[ClockExplanation]:
    """Every clock of the ticket, explained, first response first."""
    now = now or timezone.now()
    clocks = sorted(ticket.clocks.all(), key=lambda c: Metric.values.index(c.metric))
    return [explain_clock(clock, ticket=ticket, now=now) for clock in clocks]


# --- badges and countdowns ------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """A clock's state in a word or two, for lists: code (CSS), text and a longer title."""

    code: str
    text: str
    title: str


def clock_badge(clock: SLAClock, *, ticket: Ticket, now: datetime.datetime) -> Badge:
    """The short state of one clock (portal list, ticket head), in the viewer's zone."""
    code = clock.state_at(now)
    title = _("Target %(target)s") % {"target": format_duration(clock.target)}
    reason = stopped_reason(clock, ticket=ticket)
    if reason == STOPPED_MET:
        text = _("Met late") if clock.breached_at else _("Met")
        return Badge("met" if not clock.breached_at else "breached", text, title)
    if reason in (STOPPED_SOLVED, STOPPED_CLOSED):
        text = _("Stopped: solved") if reason == STOPPED_SOLVED else _("Stopped: closed")
        return Badge("paused", text, title)
    if reason == STOPPED_WAITING:
        return Badge("paused", _("Paused: waiting on customer"), title)
    if reason == STOPPED_MERGED:
        return Badge("paused", _("Stopped: merged"), title)
    assert clock.due_at is not None
    due = format_instant(clock.due_at)
    if code == "breached":
        return Badge(code, _("Overdue since %(due)s") % {"due": due}, title)
    if code == "at_risk":
        return Badge(code, _("Due soon: %(due)s") % {"due": due}, title)
    return Badge(code, _("Due %(due)s") % {"due": due}, title)


@dataclass(frozen=True)
class Countdown:
    """A ticket's SLA state in the queue: code, the time to (or past) its deadline in the
    clock's own time (business time on business-hours calendars, said so), and the due
    instant itself, which is what the queue sorts by."""

    code: str  # breached, at_risk, running, paused, met, none
    text: str
    due_text: str = ""


def countdown(
    *,
    due: datetime.datetime | None,
    warn: datetime.datetime | None,
    clocks: Sequence[SLAClock],
    calendar: BusinessCalendar | None,
    is_24x7: bool,
    now: datetime.datetime,
) -> Countdown:
    """The queue's countdown for a ticket whose earliest running deadline is `due`."""
    if calendar is None or not clocks:
        return Countdown("none", _("best effort"))
    if due is None:
        if any(clock.paused_at and not clock.met_at for clock in clocks):
            return Countdown("paused", _("paused"))
        if any(clock.breached_at for clock in clocks):
            return Countdown("met", _("met late"))
        return Countdown("met", _("met"))
    basis = _time_basis(is_24x7=is_24x7)
    if due <= now:
        late = format_duration(calendar.elapsed(due, now), style="words")
        return Countdown(
            "breached",
            _("overdue by %(span)s %(basis)s") % {"span": late, "basis": basis},
            _("was due %(due)s") % {"due": format_instant(due)},
        )
    left = format_duration(calendar.elapsed(now, due), style="words")
    code = "at_risk" if warn is not None and warn <= now else "running"
    return Countdown(
        code,
        _("%(span)s left %(basis)s") % {"span": left, "basis": basis},
        _("due %(due)s") % {"due": format_instant(due)},
    )


# --- what a customer is promised -----------------------------------------------------------


def first_response_targets_text(terms: Mapping[str, Any]) -> dict[str, str]:
    """``{priority: "1h 30m"}`` first-response targets of a snapshot, P1 first ({}: none)."""
    result = {}
    for priority in Priority.values:
        target = sla_services.target_from_terms(
            terms, priority=priority, metric=Metric.FIRST_RESPONSE
        )
        if target is not None:
            result[priority] = format_duration(target[0])
    return result


def first_response_promises(terms: Mapping[str, Any]) -> dict[str, str]:
    """What the customer is promised per priority under these terms, in plain words."""
    calendar_terms = terms.get("calendar") or {}
    targets = first_response_targets_text(terms)
    promises = {}
    for priority in Priority.values:
        target = targets.get(priority)
        if target is None:
            promises[priority] = _("Best effort: %(plan)s support has no response-time target.") % {
                "plan": seeded.shown(terms.get("plan_name", ""))
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


# --- what a ticket filed now would be promised ----------------------------------------------

_ONE_MICROSECOND = datetime.timedelta(microseconds=1)


def next_opening(calendar: BusinessCalendar, at: datetime.datetime) -> datetime.datetime:
    """The first instant at or after `at` when business time runs (`at` itself when open).

    It is where a clock started at `at` begins to count: ``add(at, 0)`` is `at` even when
    closed, so the opening is the start of the first business interval up to the instant
    one microsecond of business time later.
    """
    first_moment = calendar.add(at, _ONE_MICROSECOND)
    return next(iter(calendar.open_intervals(at, first_moment)))[0]


@dataclass(frozen=True)
class FirstResponsePreview:
    """What a customer filing a ticket now at one priority is promised, before filing."""

    priority: str
    promise: str  # the target in plain words, or best effort
    target_text: str  # "3h"; "" when best effort
    is_best_effort: bool
    is_24x7: bool
    time_zone: str  # the calendar's zone, in which the instants are shown
    due_at: datetime.datetime | None
    due_sentence: str  # "" when best effort
    closed_now: bool
    clock_starts_at: datetime.datetime | None  # the next opening, when closed now
    closed_sentence: str  # "" unless closed now


def first_response_preview(
    *, terms: Mapping[str, Any], priority: str, now: datetime.datetime
) -> FirstResponsePreview:
    """The first-response promise for a ticket filed at `now` under the terms snapshot.

    The due instant is computed exactly as a real ticket's clock
    (:func:`sla.services.deadline_from_terms` from `now`) and shown in the calendar's
    zone, named when it is not the viewer's. On a business-hours calendar that is closed
    at `now` it also says when the clock starts; a 24x7 calendar is never closed, and a
    plan with no target is best effort. Raises ValueError for an unknown priority.
    """
    if priority not in Priority.values:
        raise ValueError(f"Unknown priority {priority!r}.")
    calendar_terms = terms.get("calendar") or {}
    zone = calendar_terms.get("time_zone") or viewer_zone()
    promise = first_response_promises(terms)[priority]
    target = sla_services.target_from_terms(terms, priority=priority, metric=Metric.FIRST_RESPONSE)
    calendar = sla_services.calendar_from_terms(terms)
    if target is None or calendar is None:
        return FirstResponsePreview(
            priority=priority,
            promise=promise,
            target_text="",
            is_best_effort=True,
            is_24x7=False,
            time_zone=zone,
            due_at=None,
            due_sentence="",
            closed_now=False,
            clock_starts_at=None,
            closed_sentence="",
        )
    due = sla_services.deadline_from_terms(
        terms, priority=priority, metric=Metric.FIRST_RESPONSE, start=now
    )
    assert due is not None, "a target on a calendar has a deadline"
    closed_now = not calendar.is_open(now)
    clock_starts_at = next_opening(calendar, now) if closed_now else None
    closed_sentence = ""
    if clock_starts_at is not None:
        closed_sentence = _("We are closed now; the clock starts %(instant)s.") % {
            "instant": format_instant(clock_starts_at, zone=zone)
        }
    return FirstResponsePreview(
        priority=priority,
        promise=promise,
        target_text=format_duration(target[0]),
        is_best_effort=False,
        is_24x7=calendar.is_24x7,
        time_zone=zone,
        due_at=due,
        due_sentence=_("Filed now, a first response is due by %(instant)s.")
        % {"instant": format_instant(due, zone=zone)},
        closed_now=closed_now,
        clock_starts_at=clock_starts_at,
        closed_sentence=closed_sentence,
    )
