"""Support plans, calendars, holidays, targets and the priority matrix, kept as data.

The policy's defaults (``docs/support-policy.md``) are seeded by migration ``0002``; managers
change them on the SLA pages or in the admin, and :mod:`sla.services` reads them. The
business-time arithmetic itself is the pure :mod:`sla.calendar`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from sla import seeded

MINUTES_PER_DAY = 24 * 60
DEFAULT_WARNING_PERCENT = 25


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – Critical")
    P2 = "P2", _("P2 – High")
    P3 = "P3", _("P3 – Medium")
    P4 = "P4", _("P4 – Low")


class Level(models.TextChoices):
    """The customer's impact and urgency."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Impact is masculine in Portuguese ("impacto alto"), urgency feminine ("urgência alta"):
# the same levels, each noun with its own words (the catalogue's "impact" context).
IMPACT_CHOICES = [
    (Level.HIGH.value, pgettext_lazy("impact", "High")),
    (Level.MEDIUM.value, pgettext_lazy("impact", "Medium")),
    (Level.LOW.value, pgettext_lazy("impact", "Low")),
]


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class AlertKind(models.TextChoices):
    """What the breach monitor tells staff about a clock. The one definition of these
    kinds: timeline events (``tickets.EventKind``) and in-app notifications
    (``notifications.NotificationKind``) take their values and labels from here."""

    AT_RISK = "sla_at_risk", _("SLA at risk")
    BREACHED = "sla_breached", _("SLA breached")


WEEKDAY_CHOICES = list(WEEKDAYS.items())  # Monday = 0, names translated lazily by Django


def format_minute(minute: int) -> str:
    """``480`` -> ``"08:00"``; ``1440`` -> ``"24:00"`` (the end of the day)."""
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def validate_positive_duration(value: timedelta) -> None:
    if value <= timedelta(0):
        raise ValidationError(
            _("A target must be longer than zero."), code="min_value", params={"value": value}
        )


_WARNING_MESSAGE = _("The warning threshold must be from 1 to 99 percent of the target.")


def check_weekly_schedule(intervals: Iterable[tuple[int, int, int]], *, is_24x7: bool) -> None:
    """Refuse a weekly schedule with inverted or overlapping intervals, or no open time.

    ``intervals`` are ``(weekday, start_minute, end_minute)``. Errors are keyed
    ``weekday_<n>`` (one per day) and ``weekly_hours`` (the schedule as a whole). A 24x7
    calendar needs no schedule. The manager pages, the admin and the services all call this.
    """
    by_day: dict[int, list[tuple[int, int]]] = {}
    errors: dict[str, list[str]] = {}
    for weekday, start, end in intervals:
        by_day.setdefault(weekday, []).append((start, end))
    for weekday, day_intervals in sorted(by_day.items()):
        day_name = str(WEEKDAYS.get(weekday, weekday))
        key = f"weekday_{weekday}"
        if weekday not in WEEKDAYS:
            errors.setdefault("weekly_hours", []).append(
                gettext("%(day)s is not a day of the week (0 = Monday … 6 = Sunday).")
                % {"day": weekday}
            )
            continue
        for start, end in day_intervals:
            if not (0 <= start < end <= MINUTES_PER_DAY):
                errors.setdefault(key, []).append(
                    gettext("%(day)s: %(start)s–%(end)s must start before it ends, within the day.")
                    % {"day": day_name, "start": format_minute(start), "end": format_minute(end)}
                )
        ordered = sorted(day_intervals)
        for (start_a, end_a), (start_b, end_b) in zip(ordered, ordered[1:], strict=False):
            if start_b < end_a:
                errors.setdefault(key, []).append(
                    gettext("%(day)s: %(first)s overlaps %(second)s.")
                    % {
                        "day": day_name,
                        "first": f"{format_minute(start_a)}–{format_minute(end_a)}",
                        "second": f"{format_minute(start_b)}–{format_minute(end_b)}",
                    }
                )
    if not is_24x7 and not any(by_day.values()):
        errors.setdefault("weekly_hours", []).append(
            gettext(
                "A business-hours calendar needs some open time: give at least one day "
                "opening hours, or make the calendar 24x7."
            )
        )
    if errors:
        raise ValidationError(errors)


def check_plan_calendar(*, calendar: Calendar | None, has_targets: bool) -> None:
    """A plan with targets needs a calendar to measure them on."""
    if calendar is None and has_targets:
        raise ValidationError(
            {
                "calendar": gettext(
                    "A plan with targets needs a calendar. Choose one, or remove the targets "
                    "(best effort)."
                )
            }
        )


class Calendar(models.Model):
    """Business hours (a weekly schedule minus holidays) or 24x7.

    The time zone is not here: it is the customer organization's.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_24x7 = models.BooleanField(
        _("24x7"),
        default=False,
        help_text=_("Open around the clock, every day: the weekly hours and holidays are ignored."),
    )
    use_public_holidays = models.BooleanField(
        _("use public holidays"),
        default=True,
        help_text=_("Close on the public holidays of the customer organization's country."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the viewer's language when it is a seeded one (``Business hours``)."""
        return seeded.shown(self.name)

    @property
    def shown_description(self) -> str:
        return seeded.shown(self.description)


class CalendarInterval(models.Model):
    """One opening interval of a weekday, in minutes from local midnight (1440 = 24:00).

    Overlaps within a day are refused by validation (:func:`check_weekly_schedule`), and
    the services lock the calendar row while replacing a schedule; a database exclusion
    constraint would need PostgreSQL's btree_gist extension, and SQLite is supported too.
    """

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=WEEKDAY_CHOICES, validators=[MaxValueValidator(6)]
    )
    start_minute = models.PositiveSmallIntegerField(
        _("opens at (minute of the day)"), validators=[MaxValueValidator(MINUTES_PER_DAY - 1)]
    )
    end_minute = models.PositiveSmallIntegerField(
        _("closes at (minute of the day)"),
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)],
    )

    # Set by a caller that validates the calendar's whole schedule at once (the admin
    # inline, the services), where comparing with the rows still saved would be wrong.
    skip_sibling_check: bool = False

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        ordering = ["calendar_id", "weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="sla_interval_weekday_0_to_6",
                violation_error_message=_("The weekday must be 0 (Monday) to 6 (Sunday)."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    start_minute__gte=0,
                    start_minute__lt=models.F("end_minute"),
                    end_minute__lte=MINUTES_PER_DAY,
                ),
                name="sla_interval_starts_before_it_ends",
                violation_error_message=_("An interval must start before it ends, within the day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS.get(self.weekday, self.weekday)} {self.start_text}–{self.end_text}"

    @property
    def start_text(self) -> str:
        return format_minute(self.start_minute)

    @property
    def end_text(self) -> str:
        return format_minute(self.end_minute)

    def clean(self) -> None:
        super().clean()
        if self.start_minute is None or self.end_minute is None:
            return
        if self.start_minute >= self.end_minute:
            raise ValidationError(
                {"end_minute": _("An interval must end after it starts (24:00 ends the day).")}
            )
        if self.skip_sibling_check or not self.calendar_id:
            return
        siblings = CalendarInterval.objects.filter(
            calendar_id=self.calendar_id, weekday=self.weekday
        ).exclude(pk=self.pk)
        try:
            check_weekly_schedule(
                [(self.weekday, self.start_minute, self.end_minute)]
                + [(self.weekday, s.start_minute, s.end_minute) for s in siblings],
                is_24x7=True,
            )
        except ValidationError as error:
            # Not keyed by field: a form showing one interval has no per-day field.
            raise ValidationError(error.messages) from None


class Holiday(models.Model):
    """A whole local date on which a business-hours calendar is closed (a manager's list)."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["calendar_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="sla_holiday_unique_date_per_calendar",
                violation_error_message=_("This calendar already has a holiday on that date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.calendar_id and self.date:
            duplicate = Holiday.objects.filter(calendar_id=self.calendar_id, date=self.date)
            if duplicate.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"date": _("This calendar already has a holiday on that date.")}
                )


class SupportPlan(models.Model):
    """What a tier gets: a calendar and a target per priority per metric."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Short identifier used by the product, e.g. standard."),
    )
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_("Empty: best effort, no targets."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the viewer's language when it is a seeded one (``Standard``)."""
        return seeded.shown(self.name)

    @property
    def shown_description(self) -> str:
        return seeded.shown(self.description)

    def clean(self) -> None:
        super().clean()
        if self.pk and self.calendar_id is None:
            check_plan_calendar(calendar=None, has_targets=self.targets.exists())


class Target(models.Model):
    """The time allowed for one metric at one priority, in the plan's calendar time."""

    plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("support plan"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    duration = models.DurationField(
        _("target"),
        validators=[validate_positive_duration],
        help_text=_("Business time allowed, e.g. 1h 30m."),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (%)"),
        default=DEFAULT_WARNING_PERCENT,
        validators=[
            MinValueValidator(1, message=_WARNING_MESSAGE),
            MaxValueValidator(99, message=_WARNING_MESSAGE),
        ],
        help_text=_("The clock is at risk when less than this share of the target remains."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan_id", "priority", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority", "metric"],
                name="sla_target_unique_per_plan_priority_metric",
                violation_error_message=_("This plan already has a target for this priority."),
            ),
            models.CheckConstraint(
                condition=models.Q(duration__gt=timedelta(0)),
                name="sla_target_duration_positive",
                violation_error_message=_("A target must be longer than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gt=0, warning_percent__lt=100),
                name="sla_target_warning_percent_1_to_99",
                violation_error_message=_WARNING_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.priority} {self.get_metric_display()}: {self.duration}"

    def clean(self) -> None:
        super().clean()
        try:
            plan = self.plan
        except SupportPlan.DoesNotExist:
            return
        if plan.calendar_id is None:
            raise ValidationError(
                _("This plan has no calendar: choose one before giving it targets.")
            )


class TierPolicy(models.Model):
    """Which plan an organization's tier gets (for Trial: during and after the evaluation)."""

    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, unique=True)
    plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("support plan"),
        on_delete=models.PROTECT,
        related_name="tier_policies",
    )
    lapsed_plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("plan after the trial"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lapsed_tier_policies",
        help_text=_("Trial only: the plan once the trial end date has passed."),
    )

    class Meta:
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier=Tier.TRIAL, lapsed_plan__isnull=False)
                | (~models.Q(tier=Tier.TRIAL) & models.Q(lapsed_plan__isnull=True)),
                name="sla_tier_policy_lapsed_plan_for_trial_only",
                violation_error_message=_(
                    "The Trial tier needs a plan for after the trial; other tiers have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} → {self.plan}"

    def clean(self) -> None:
        super().clean()
        if self.tier == Tier.TRIAL and self.lapsed_plan_id is None:
            raise ValidationError(
                {"lapsed_plan": _("Choose the plan a Trial organization gets after its trial.")}
            )
        if self.tier != Tier.TRIAL and self.lapsed_plan_id is not None:
            raise ValidationError({"lapsed_plan": _("Only the Trial tier has a plan after trial.")})


class PriorityRule(models.Model):
    """One cell of the priority matrix: impact × urgency → priority."""

    impact = models.CharField(_("impact"), max_length=10, choices=IMPACT_CHOICES)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        ordering = ["urgency", "impact"]
        constraints = [
            models.UniqueConstraint(
                fields=["impact", "urgency"],
                name="sla_priority_rule_unique_cell",
                violation_error_message=_("The matrix already has this impact and urgency."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Impact %(impact)s, urgency %(urgency)s → %(priority)s") % {
            "impact": self.get_impact_display(),
            "urgency": self.get_urgency_display(),
            "priority": self.priority,
        }


class SLAClock(models.Model):
    """One SLA target on one ticket: when it started, when it is due, what became of it.

    `due_at` and `warn_at` are stored and indexed, so the queue sorts by time to
    breach and the monitor finds crossings with an index scan. Both are NULL while
    the clock is paused or met. A breach, once recorded, stays (it is history).
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="clocks"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    target = models.DurationField(_("target"))
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (%)"), default=DEFAULT_WARNING_PERCENT
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_business_time = models.DurationField(_("business time paused"), default=timedelta)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    # Business time from start to met (pauses excluded): dashboards aggregate it in SQL.
    business_time_to_meet = models.DurationField(_("business time to meet"), null=True, blank=True)
    at_risk_at = models.DateTimeField(_("flagged at risk at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    # Bumped when a priority change re-arms the thresholds.
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="slaclock_one_per_metric"),
        ]
        indexes = [
            # The monitor: running clocks by due time, and by warning time.
            models.Index(
                fields=["due_at"],
                name="slaclock_running_due",
                condition=models.Q(met_at__isnull=True, breached_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="slaclock_running_warn",
                condition=models.Q(
                    met_at__isnull=True, at_risk_at__isnull=True, breached_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric}"

    def state_at(self, now: datetime) -> str:
        """breached, met, paused, at_risk or running at `now` (a met-late clock stays breached)."""
        if self.breached_at or (self.met_at is None and self.due_at and self.due_at <= now):
            return "breached"
        if self.met_at:
            return "met"
        if self.paused_at:
            return "paused"
        if self.at_risk_at or (self.warn_at and self.warn_at <= now):
            return "at_risk"
        return "running"


class MonitorHeartbeat(models.Model):
    """The breach monitor's last successful run: one row (id 1), read by the health check.

    Kept in the database, not the cache, so every web process sees the same beat.
    """

    SINGLETON_ID = 1

    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    scanned_until = models.DateTimeField(_("scanned until"), null=True, blank=True)
    last_duration = models.DurationField(_("last run took"), null=True, blank=True)
    last_at_risk = models.PositiveIntegerField(_("flagged at risk in the last run"), default=0)
    last_breached = models.PositiveIntegerField(_("flagged breached in the last run"), default=0)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("breach monitor heartbeat")
        verbose_name_plural = _("breach monitor heartbeats")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="sla_monitor_heartbeat_single"),
        ]

    def __str__(self) -> str:
        return f"monitor {self.last_run_at}"


class TrialReminder(models.Model):
    """A trial's account manager was told its end is near: once per organization and end date."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="trial_reminders",
    )
    trial_ends_on = models.DateField(_("trial ends on"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("trial reminder")
        verbose_name_plural = _("trial reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "trial_ends_on"], name="sla_trial_reminder_once_per_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.trial_ends_on.isoformat()}"


class TicketFacts(models.Model):
    """What the manager dashboards aggregate about one ticket, in one narrow row.

    A copy, not a source: :mod:`sla.facts` recomputes a ticket's row from the ticket, its
    clocks and its comments whenever the services change any of them, and can rebuild
    every row. Dashboards scan this table instead of joining the wide ticket rows (their
    text and SLA-terms snapshot) to their clocks, so a 90-day period over 100,000
    tickets stays a short scan.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="facts",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    tier = models.CharField(_("tier at creation"), max_length=20)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    product = models.ForeignKey(
        "tickets.Product",
        verbose_name=_("product"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    solved_at = models.DateTimeField(_("solved at"), null=True)
    # The author of the first public staff reply.
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first responder"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The first-response clock (all NULL when the ticket has none).
    first_response_target = models.DurationField(_("first-response target"), null=True)
    first_response_met_at = models.DateTimeField(_("first response met at"), null=True)
    first_response_breached_at = models.DateTimeField(_("first response breached at"), null=True)
    first_response_business_time = models.DurationField(
        _("first-response business time"), null=True
    )
    resolution_breached_at = models.DateTimeField(_("resolution breached at"), null=True)

    class Meta:
        verbose_name = _("ticket facts")
        verbose_name_plural = _("ticket facts")
        indexes = [
            models.Index(fields=["created_at"], name="ticketfacts_created"),
            # Percentiles per priority: PostgreSQL reads the period's values in priority
            # order from this index alone, instead of sorting the rows first.
            models.Index(
                fields=["priority", "created_at"],
                name="ticketfacts_percentiles",
                include=["first_response_business_time", "solved_at"],
            ),
            models.Index(
                fields=["solved_at"],
                name="ticketfacts_solved",
                condition=models.Q(solved_at__isnull=False),
            ),
            # Breaches per week and per organization: read from these indexes alone.
            models.Index(
                fields=["first_response_breached_at"],
                name="ticketfacts_fr_breached",
                condition=models.Q(first_response_breached_at__isnull=False),
                include=["organization_id", "tier"],
            ),
            models.Index(
                fields=["resolution_breached_at"],
                name="ticketfacts_res_breached",
                condition=models.Q(resolution_breached_at__isnull=False),
                include=["organization_id", "tier"],
            ),
        ]

    def __str__(self) -> str:
        return f"facts of {self.ticket_id}"
