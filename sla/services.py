"""Plans, calendars and the priority matrix: what governs a ticket, and their edits.

The tickets app calls :func:`derive_priority` and :func:`sla_terms_for` when a ticket is
created and keeps the terms (a JSON snapshot) on the ticket; deadlines are then computed
from that snapshot (:func:`calendar_from_terms`, :func:`target_from_terms`), so a later
plan edit or tier change affects new tickets only. The manager pages and the admin edit
plans, calendars, holidays and the matrix through the ``*_update`` / ``*_add`` services
below, which validate with the models' own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Organization, Tier
from sla import seeded, selectors
from sla.calendar import BusinessCalendar
from sla.models import (
    DEFAULT_WARNING_PERCENT,
    Calendar,
    CalendarInterval,
    Holiday,
    Level,
    Priority,
    PriorityRule,
    SupportPlan,
    Target,
    TierPolicy,
    check_plan_calendar,
    check_weekly_schedule,
    format_minute,
)

TERMS_VERSION = 1
# How far ahead a snapshot lists holidays: a ticket open longer than this is measured
# without holidays beyond it.
SNAPSHOT_HOLIDAY_DAYS = 2 * 366

# The policy's matrix (docs/support-policy.md), used for any cell missing from the table.
DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P4,
}
"""(impact, urgency) -> priority."""

WeeklyHours = Mapping[int, Sequence[tuple[int, int]]]
"""Weekday (Monday = 0) -> ``(start_minute, end_minute)`` pairs; 1440 is 24:00."""


class NoPlanForTier(LookupError):
    """No tier policy names a plan for the organization's tier (a configuration error)."""


# --- priority ------------------------------------------------------------------------------------


def derive_priority(*, impact: str, urgency: str) -> str:
    """The priority the matrix gives an impact and an urgency (``"high"``/``"medium"``/``"low"``).

    Raises ValidationError (keyed ``impact`` / ``urgency``) for unknown levels. A cell
    missing from the table falls back to the policy's default.
    """
    errors = {}
    if impact not in Level.values:
        errors["impact"] = _("Unknown impact “%(value)s”.") % {"value": impact}
    if urgency not in Level.values:
        errors["urgency"] = _("Unknown urgency “%(value)s”.") % {"value": urgency}
    if errors:
        raise ValidationError(errors)
    priority = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    return str(priority or DEFAULT_MATRIX[(impact, urgency)])


def priority_matrix() -> dict[str, dict[str, str]]:
    """The whole matrix as ``{impact: {urgency: priority}}``, High to Low (one query).

    Cells missing from the table have the policy's default.
    """
    cells = dict(DEFAULT_MATRIX)
    for rule in PriorityRule.objects.all():
        cells[(rule.impact, rule.urgency)] = rule.priority
    return {
        impact: {urgency: str(cells[(impact, urgency)]) for urgency in Level.values}
        for impact in Level.values
    }


@transaction.atomic
def priority_matrix_update(*, matrix: Mapping[tuple[str, str], str]) -> None:
    """Replace the matrix: ``{(impact, urgency): priority}`` for all nine cells."""
    expected = {(impact, urgency) for impact in Level.values for urgency in Level.values}
    errors: dict[str, list[str]] = {}
    if set(matrix) != expected:
        errors.setdefault("matrix", []).append(
            _("The matrix needs a priority for every impact and urgency.")
        )
    for (impact, urgency), priority in matrix.items():
        if priority not in Priority.values:
            errors.setdefault(f"{urgency}_{impact}", []).append(
                _("Unknown priority “%(value)s”.") % {"value": priority}
            )
    if errors:
        raise ValidationError(errors)
    for (impact, urgency), priority in matrix.items():
        PriorityRule.objects.update_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


# --- which plan, which calendar ------------------------------------------------------------------


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be a time-zone aware datetime.")
    return at


def local_date(*, organization: Organization, at: datetime) -> date:
    """The date on the organization's wall calendar at the instant ``at``."""
    return _aware(at).astimezone(ZoneInfo(organization.time_zone)).date()


def in_trial(*, organization: Organization, at: datetime) -> bool:
    """A Trial organization is in evaluation through its end date, in its own time zone."""
    if organization.tier != Tier.TRIAL or organization.trial_ends_on is None:
        return False
    return local_date(organization=organization, at=at) <= organization.trial_ends_on


def _tier_policies(organization: Organization) -> dict[str, TierPolicy]:
    """The organization's tier policy and the Community and Premium ones (one query)."""
    tiers = {organization.tier, Tier.COMMUNITY, Tier.PREMIUM}
    policies = {
        policy.tier: policy
        for policy in TierPolicy.objects.select_related(
            "plan__calendar", "lapsed_plan__calendar"
        ).filter(tier__in=tiers)
    }
    if organization.tier not in policies:
        raise NoPlanForTier(f"No support plan is configured for tier {organization.tier!r}.")
    return policies


@dataclass(frozen=True)
class PlanInForce:
    """What an organization gets today: the one answer labels, channels and the API use."""

    plan: SupportPlan
    label: str
    """The support to show, e.g. "Premium", "Trial" or, after a trial, "Community"."""
    phone_offered: bool
    """False on the plan the Community tier gets (the policy: no phone channel)."""
    account_manager_expected: bool
    """On the Premium tier's plan, not as a trial: the policy promises an account manager."""
    in_trial: bool
    trial_ends_on: date | None
    trial_lapsed: bool
    """A Trial organization past its end date, now on the plan after the trial."""

    @property
    def is_best_effort(self) -> bool:
        """No calendar, so no targets: tickets are answered on a best-effort basis."""
        return self.plan.calendar_id is None

    @property
    def phone_refusal(self) -> str:
        """Why a phone ticket is refused (only meaningful when ``phone_offered`` is False)."""
        reason = _(
            "Community support has no phone channel: the support policy offers "
            "Community users e-mail and web support on a best-effort basis."
        )
        if self.trial_lapsed and self.trial_ends_on is not None:
            return _("The trial ended on %(date)s. %(reason)s") % {
                "date": date_format(self.trial_ends_on, "DATE_FORMAT"),
                "reason": reason,
            }
        return reason


def plan_in_force(*, organization: Organization, at: datetime) -> PlanInForce:
    """The plan in force for the organization at the instant ``at``, and what it offers.

    The tier's policy names the plan; a Trial organization gets it through its
    ``trial_ends_on`` (its local date, inclusive) and the policy's ``lapsed_plan`` after
    it. The phone channel and the account manager follow the plan, never the tier alone:
    a lapsed trial on the Community plan has no phone channel. Raises NoPlanForTier when
    the tier has no policy.
    """
    _aware(at)
    policies = _tier_policies(organization)
    policy = policies[organization.tier]
    trial = in_trial(organization=organization, at=at)
    lapsed = organization.tier == Tier.TRIAL and not trial
    plan = (policy.lapsed_plan or policy.plan) if lapsed else policy.plan
    community = policies.get(Tier.COMMUNITY)
    premium = policies.get(Tier.PREMIUM)
    on_community = plan.pk == community.plan_id if community else plan.code == "community"
    on_premium = plan.pk == premium.plan_id if premium else plan.code == "premium"
    label = str(Tier(organization.tier).label)
    if lapsed:
        label = str(Tier.COMMUNITY.label) if on_community else plan.shown_name
    return PlanInForce(
        plan=plan,
        label=label,
        phone_offered=not on_community,
        account_manager_expected=on_premium and not trial,
        in_trial=trial,
        trial_ends_on=organization.trial_ends_on if organization.tier == Tier.TRIAL else None,
        trial_lapsed=lapsed,
    )


def plan_for_organization(*, organization: Organization, at: datetime) -> SupportPlan:
    """The plan in force for the organization at the instant ``at`` (see :func:`plan_in_force`)."""
    return plan_in_force(organization=organization, at=at).plan


def _holiday_names(
    *, calendar: Calendar, country: str, subdivision: str = "", first: date, last: date
) -> dict[date, str]:
    """The dates in ``[first, last]`` a calendar closes for one country (and, when given,
    one of its states or provinces), with their names."""
    names: dict[date, list[str]] = {}
    if calendar.use_public_holidays and country:
        for day, name in selectors.public_holidays(
            country=country, subdivision=subdivision, years=range(first.year, last.year + 1)
        ).items():
            if first <= day <= last:
                names.setdefault(day, []).append(name)
    for day, name in Holiday.objects.filter(
        calendar=calendar, date__gte=first, date__lte=last
    ).values_list("date", "name"):
        if name not in names.get(day, []):
            names.setdefault(day, []).append(name)
    return {day: " / ".join(day_names) for day, day_names in sorted(names.items())}


def _calendar_terms(
    *, organization: Organization, calendar: Calendar, first: date, last: date
) -> dict[str, Any]:
    country = organization.country.upper()
    if calendar.is_24x7:
        return {
            "name": calendar.name,
            "time_zone": organization.time_zone,
            "country": country,
            "subdivision": organization.subdivision,
            "uses_public_holidays": False,
            "is_24x7": True,
            "weekly_hours": {},
            "holidays": [],
            "holiday_names": {},
        }
    weekly_hours: dict[str, list[list[str]]] = {}
    for interval in calendar.intervals.order_by("weekday", "start_minute"):
        weekly_hours.setdefault(str(interval.weekday), []).append(
            [format_minute(interval.start_minute), format_minute(interval.end_minute)]
        )
    names = _holiday_names(
        calendar=calendar,
        country=country,
        subdivision=organization.subdivision,
        first=first,
        last=last,
    )
    return {
        "name": calendar.name,
        "time_zone": organization.time_zone,
        "country": country,
        "subdivision": organization.subdivision,
        "uses_public_holidays": calendar.use_public_holidays,
        "is_24x7": False,
        "weekly_hours": weekly_hours,
        "holidays": [day.isoformat() for day in names],
        "holiday_names": {day.isoformat(): name for day, name in names.items()},
    }


def calendar_for_organization(
    *, organization: Organization, plan: SupportPlan, at: datetime
) -> BusinessCalendar | None:
    """The plan's calendar in the organization's time zone and country (None: no calendar).

    Holidays: the public holidays of the country and, when the organization has one, its
    state or province (when the calendar uses them) for the years
    ``at.year - 1`` to ``at.year + 2``, and the calendar's own list. A 24x7 calendar is
    :meth:`BusinessCalendar.always_open`.
    """
    _aware(at)
    if plan.calendar is None:
        return None
    terms = _calendar_terms(
        organization=organization,
        calendar=plan.calendar,
        first=date(at.year - 1, 1, 1),
        last=date(at.year + 2, 12, 31),
    )
    return calendar_from_terms({"calendar": terms})


# --- the snapshot a ticket keeps -----------------------------------------------------------------


def sla_terms_for(*, organization: Organization, at: datetime) -> dict[str, Any]:
    """A JSON-serialisable snapshot of everything that governs a ticket created at ``at``.

    Plan, tier, trial state, calendar (zone, country and state or province whose public
    holidays it keeps, weekly hours, holidays from the day before
    ``at`` to about two years after) and targets per priority per metric. Tickets keep it,
    so later edits of plans, calendars or the tier change new tickets only.
    """
    plan = plan_for_organization(organization=organization, at=at)
    calendar_terms = None
    if plan.calendar is not None:
        today = local_date(organization=organization, at=at)
        calendar_terms = _calendar_terms(
            organization=organization,
            calendar=plan.calendar,
            first=today - timedelta(days=1),
            last=today + timedelta(days=SNAPSHOT_HOLIDAY_DAYS),
        )
    targets: dict[str, dict[str, dict[str, int]]] = {}
    for target in plan.targets.order_by("priority", "metric"):
        targets.setdefault(target.priority, {})[target.metric] = {
            "seconds": int(target.duration.total_seconds()),
            "warning_percent": target.warning_percent,
        }
    return {
        "version": TERMS_VERSION,
        "plan_id": plan.pk,
        "plan_code": plan.code,
        "plan_name": plan.name,
        "tier": organization.tier,
        "in_trial": in_trial(organization=organization, at=at),
        "calendar": calendar_terms,
        "targets": targets,
    }


def ticket_calendar(terms: Mapping[str, Any]) -> BusinessCalendar:
    """The calendar of a ticket's terms; a ticket with clocks always has one."""
    calendar = calendar_from_terms(terms)
    assert calendar is not None, "a ticket with targets has a calendar"
    return calendar


def calendar_from_terms(terms: Mapping[str, Any]) -> BusinessCalendar | None:
    """Rebuild the business calendar a snapshot describes (None: the plan has no calendar)."""
    calendar = terms.get("calendar")
    if not calendar:
        return None
    if calendar["is_24x7"]:
        return BusinessCalendar.always_open()
    return BusinessCalendar(
        timezone=calendar["time_zone"],
        weekly_hours={
            int(weekday): [(start, end) for start, end in intervals]
            for weekday, intervals in calendar["weekly_hours"].items()
        },
        holidays={date.fromisoformat(day) for day in calendar["holidays"]},
    )


def target_from_terms(
    terms: Mapping[str, Any], *, priority: str, metric: str
) -> tuple[timedelta, int] | None:
    """``(duration, warning_percent)`` of a snapshot's target, or None (best effort).

    None too when the snapshot has no calendar to measure a target on.
    """
    if not terms.get("calendar"):
        return None
    target = terms.get("targets", {}).get(priority, {}).get(metric)
    if target is None:
        return None
    return timedelta(seconds=target["seconds"]), int(target["warning_percent"])


def deadline_from_terms(
    terms: Mapping[str, Any], *, priority: str, metric: str, start: datetime
) -> datetime | None:
    """When a clock started at ``start`` is due under a snapshot (None: no target)."""
    target = target_from_terms(terms, priority=priority, metric=metric)
    calendar = calendar_from_terms(terms)
    if target is None or calendar is None:
        return None
    return calendar.add(start, target[0])


def deadline_for(
    *, organization: Organization, priority: str, metric: str, created_at: datetime
) -> datetime | None:
    """The deadline of a ticket the organization files at ``created_at`` (None: best effort).

    The same path as a real ticket: snapshot the terms, then compute from the snapshot.
    """
    terms = sla_terms_for(organization=organization, at=created_at)
    return deadline_from_terms(terms, priority=priority, metric=metric, start=created_at)


# --- editing plans and targets -------------------------------------------------------------------


def target_validate(
    *,
    plan: SupportPlan,
    priority: str,
    metric: str,
    duration: timedelta,
    warning_percent: int = DEFAULT_WARNING_PERCENT,
) -> Target:
    """An unsaved, fully validated target (the existing one, changed, if there is one)."""
    target = Target.objects.filter(plan=plan, priority=priority, metric=metric).first() or Target(
        plan=plan, priority=priority, metric=metric
    )
    target.plan = plan
    target.duration = duration
    target.warning_percent = warning_percent
    target.full_clean()
    return target


@transaction.atomic
def target_update(
    *,
    plan: SupportPlan,
    priority: str,
    metric: str,
    duration: timedelta | None,
    warning_percent: int = DEFAULT_WARNING_PERCENT,
) -> Target | None:
    """Set (or, with ``duration=None``, remove) a plan's target for a priority and metric.

    Refuses zero or negative targets, a warning threshold outside 1-99 % and a target on
    a plan without a calendar (ValidationError keyed by field).
    """
    if duration is None:
        Target.objects.filter(plan=plan, priority=priority, metric=metric).delete()
        return None
    target = target_validate(
        plan=plan,
        priority=priority,
        metric=metric,
        duration=duration,
        warning_percent=warning_percent,
    )
    target.save()
    return target


@transaction.atomic
def plan_update(
    *,
    plan: SupportPlan,
    calendar: Calendar | None,
    description: str,
    targets: Mapping[tuple[str, str], tuple[timedelta | None, int]],
) -> SupportPlan:
    """Change a plan's calendar, description and targets together (all or nothing).

    ``targets`` maps ``(priority, metric)`` to ``(duration or None, warning_percent)``;
    pairs not given are left as they are. Errors of one target are keyed
    ``"<priority>.<metric>.<field>"``.
    """
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    plan.calendar = calendar
    # A seeded description saved unchanged in another language stays translatable.
    plan.description = seeded.stored(description, previous=plan.description)
    final_targets = {(target.priority, target.metric) for target in plan.targets.all()}
    for key, (duration, _percent) in targets.items():
        if duration is None:
            final_targets.discard(key)
        else:
            final_targets.add(key)
    check_plan_calendar(calendar=calendar, has_targets=bool(final_targets))
    errors: dict[str, list[str]] = {}
    for (priority, metric), (duration, warning_percent) in targets.items():
        try:
            target_update(
                plan=plan,
                priority=priority,
                metric=metric,
                duration=duration,
                warning_percent=warning_percent,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"{priority}.{metric}.{field}", []).extend(messages)
    if not errors:
        try:
            plan.full_clean()  # after the targets changed, so its own checks see them
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    plan.save()
    return plan


# --- editing calendars and holidays --------------------------------------------------------------


def _interval_rows(weekly_hours: WeeklyHours) -> list[tuple[int, int, int]]:
    return [
        (int(weekday), int(start), int(end))
        for weekday, intervals in weekly_hours.items()
        for start, end in intervals
    ]


def _replace_intervals(calendar: Calendar, rows: list[tuple[int, int, int]]) -> None:
    calendar.intervals.all().delete()
    intervals = [
        CalendarInterval(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
        for weekday, start, end in sorted(rows)
    ]
    for interval in intervals:
        interval.skip_sibling_check = True  # the whole schedule was checked above
        interval.full_clean(exclude=["calendar"])
    CalendarInterval.objects.bulk_create(intervals)


@transaction.atomic
def calendar_set_weekly_hours(*, calendar: Calendar, weekly_hours: WeeklyHours) -> Calendar:
    """Replace a calendar's weekly schedule.

    Refuses inverted or overlapping intervals and a business-hours calendar with no open
    time (ValidationError keyed ``weekday_<n>`` / ``weekly_hours``).
    """
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    rows = _interval_rows(weekly_hours)
    check_weekly_schedule(rows, is_24x7=calendar.is_24x7)
    _replace_intervals(calendar, rows)
    return calendar


@transaction.atomic
def calendar_update(
    *,
    calendar: Calendar,
    is_24x7: bool,
    use_public_holidays: bool,
    description: str,
    weekly_hours: WeeklyHours,
) -> Calendar:
    """Change a calendar's settings and weekly schedule together (all or nothing)."""
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    calendar.is_24x7 = is_24x7
    calendar.use_public_holidays = use_public_holidays
    calendar.description = seeded.stored(description, previous=calendar.description)
    rows = _interval_rows(weekly_hours)
    errors: dict[str, list[str]] = {}
    try:
        calendar.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        check_weekly_schedule(rows, is_24x7=is_24x7)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    calendar.save()
    _replace_intervals(calendar, rows)
    return calendar


@transaction.atomic
def holiday_add(*, calendar: Calendar, date: date, name: str) -> Holiday:
    """Close a calendar on a local date (refused if it already has a holiday that day)."""
    holiday = Holiday(calendar=calendar, date=date, name=name.strip())
    holiday.full_clean()
    holiday.save()
    return holiday


@transaction.atomic
def holiday_remove(*, holiday: Holiday) -> None:
    """Remove one of a calendar's own holidays."""
    holiday.delete()
