"""Forms for the manager's SLA pages and the admin: friendly durations and opening hours.

They parse what a manager types ("1h 30m", "08:00–12:00, 13:00–17:00") and check it with
the models' own validation; the services check again and save.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization, Tier
from accounts.selectors import staff_users
from helpdesk.forms import LongSelect, apply_errors
from sla.explain import format_duration
from sla.models import (
    DEFAULT_WARNING_PERCENT,
    IMPACT_CHOICES,
    MINUTES_PER_DAY,
    Calendar,
    CalendarInterval,
    Holiday,
    Level,
    Metric,
    Priority,
    Target,
    check_weekly_schedule,
    format_minute,
)
from tickets.models import Product

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from tickets.models import Product

# --- parsing -------------------------------------------------------------------------------------

_UNIT_SECONDS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "segundo", "segundos"), 1),
}
_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")
_DURATION_FILLER = re.compile(r"^(?:\s|,|\band\b|\be\b)*$")
_HOURS_MINUTES = re.compile(r"^(\d{1,4})\s*(?::|h)\s*([0-5]\d)$")  # "1:30", "1h30"
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_INTERVAL = re.compile(r"^(.+?)\s*(?:-|–|—|\bto\b|\bàs\b|\ba\b)\s*(.+)$")

DURATION_HELP = _("For example 15m, 1h 30m or 24h, in business time.")
HOURS_HELP = _("For example 08:00–17:00, or 08:00–12:00, 13:00–17:00. Empty: closed.")


def parse_duration_text(text: str) -> timedelta:
    """``"1h 30m"``, ``"90 min"``, ``"1.5h"``, ``"1:30"`` -> a timedelta.

    A bare number is refused: "8" could be hours or minutes.
    """
    try:
        duration = _parse_duration(text)
    except OverflowError:
        duration = None
    if duration is None or duration > MAX_TARGET:
        raise ValidationError(
            _("A target can be at most %(days)d days.") % {"days": MAX_TARGET.days},
            code="too_long",
        )
    return duration


MAX_TARGET = timedelta(days=365)


def _parse_duration(text: str) -> timedelta:
    value = text.strip().lower()
    match = _HOURS_MINUTES.match(value)
    if match:
        return timedelta(hours=int(match.group(1)), minutes=int(match.group(2)))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        raise ValidationError(
            _("Give a unit, e.g. %(value)sh or %(value)sm.") % {"value": value}, code="no_unit"
        )
    total = Decimal(0)
    found = False
    for part in _DURATION_PART.finditer(value):
        unit = _UNIT_SECONDS.get(part.group(2))
        if unit is None:
            break
        try:
            total += Decimal(part.group(1).replace(",", ".")) * unit
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            break
        found = True
    else:
        if found and _DURATION_FILLER.match(_DURATION_PART.sub("", value)):
            return timedelta(seconds=int(total))
    raise ValidationError(
        _("“%(value)s” is not a duration. Write it like 15m, 1h 30m or 24h.") % {"value": text},
        code="invalid",
    )


def parse_clock(text: str) -> int:
    """``"08:00"`` -> 480; ``"24:00"`` -> 1440 (the end of the day); ``"8"`` -> 480."""
    match = _CLOCK.match(text.strip())
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if minutes < 60 and hours * 60 + minutes <= MINUTES_PER_DAY:
            return hours * 60 + minutes
    raise ValidationError(
        _("“%(value)s” is not a time of day (00:00 to 24:00).") % {"value": text}, code="invalid"
    )


def parse_day_hours(text: str) -> list[tuple[int, int]]:
    """``"08:00–12:00, 13:00–17:00"`` -> ``[(480, 720), (780, 1020)]``; empty -> closed."""
    intervals = []
    for piece in re.split(r"[,;]", text):
        piece = piece.strip()
        if not piece:
            continue
        match = _INTERVAL.match(piece)
        if not match:
            raise ValidationError(
                _("“%(value)s” is not an interval. Write it like 08:00–17:00.") % {"value": piece},
                code="invalid",
            )
        intervals.append((parse_clock(match.group(1)), parse_clock(match.group(2))))
    return intervals


def format_day_hours(intervals: list[tuple[int, int]]) -> str:
    return ", ".join(f"{format_minute(start)}–{format_minute(end)}" for start, end in intervals)


# --- fields --------------------------------------------------------------------------------------


class DurationTextField(forms.Field):
    """A duration written the way people write it; shown back as ``"1h 30m"``."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DURATION_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, timedelta):
            return format_duration(value)
        return value

    def to_python(self, value: Any) -> timedelta | None:
        if isinstance(value, timedelta):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        return parse_duration_text(str(value))


class ClockTimeField(forms.Field):
    """A wall-clock time ``HH:MM`` (``24:00`` allowed) as minutes from midnight."""

    widget = forms.TextInput

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_minute(value)
        return value

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, int):
            return value
        if value in self.empty_values:
            return None
        return parse_clock(str(value))


class DayHoursField(forms.CharField):
    """One weekday's opening hours, e.g. ``08:00–12:00, 13:00–17:00``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", HOURS_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return format_day_hours(value)
        return value

    # Cleans to opening intervals, not to the text a CharField cleans to.
    def to_python(self, value: Any) -> list[tuple[int, int]]:  # type: ignore[override]
        return parse_day_hours(super().to_python(value) or "")


# --- plans and targets ---------------------------------------------------------------------------


class PlanForm(forms.Form):
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=Calendar.objects.all(),
        required=False,
        empty_label=_("No calendar (best effort, no targets)"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TargetForm(forms.Form):
    """One priority × metric of a plan. An empty duration means no target (best effort)."""

    duration = DurationTextField(label=_("Target"), required=False)
    warning_percent = forms.IntegerField(
        label=_("At risk below (%)"),
        required=False,
        help_text=_("At risk when less than this share of the target remains."),
    )

    def __init__(self, *args: Any, priority: str, metric: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.priority, self.metric = priority, metric
        self.priority_label = Priority(priority).label
        self.metric_label = Metric(metric).label
        self.fields["duration"].widget.attrs.update({"size": 8, "placeholder": _("none")})
        self.fields["warning_percent"].widget.attrs.update({"min": 1, "max": 99})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("warning_percent") is None and "warning_percent" not in self.errors:
            data["warning_percent"] = DEFAULT_WARNING_PERCENT
        if self.errors:
            return data
        # The model's own field rules: a positive target, a threshold of 1-99 %. The
        # threshold is checked even without a target, so a typo is not silently dropped.
        target = Target(duration=data.get("duration"), warning_percent=data["warning_percent"])
        exclude = ["plan", "priority", "metric"]
        if data.get("duration") is None:
            exclude.append("duration")
        try:
            target.clean_fields(exclude=exclude)
        except ValidationError as error:
            apply_errors(self, error)
        return data


class BaseTargetFormSet(forms.BaseFormSet[TargetForm]):
    """The eight targets of a plan: P1–P4 × first response, resolution, in that order."""

    slots = [(priority, metric) for priority in Priority.values for metric in Metric.values]

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["priority"], kwargs["metric"] = self.slots[index]
        return kwargs

    def rows(self) -> list[tuple[str, list[TargetForm]]]:
        """``(priority label, [form per metric])`` for a table of priorities × metrics."""
        per_row = len(Metric.values)
        forms_list = list(self.forms)
        return [
            (str(Priority(priority).label), forms_list[i * per_row : (i + 1) * per_row])
            for i, priority in enumerate(Priority.values)
        ]

    def targets(self) -> dict[tuple[str, str], tuple[timedelta | None, int]]:
        """The cleaned targets as the ``plan_update`` service takes them."""
        return {
            (form.priority, form.metric): (
                form.cleaned_data.get("duration"),
                form.cleaned_data.get("warning_percent") or DEFAULT_WARNING_PERCENT,
            )
            for form in self.forms
        }


# formset_factory returns a subclass of the formset it is given; django-stubs types it
# as the base BaseFormSet.
TargetFormSet = cast(
    "type[BaseTargetFormSet]",
    forms.formset_factory(
        TargetForm,
        formset=BaseTargetFormSet,
        extra=0,
        min_num=len(BaseTargetFormSet.slots),
        max_num=len(BaseTargetFormSet.slots),
        # No more forms are built than there are slots: a forged TOTAL_FORMS is an error.
        absolute_max=len(BaseTargetFormSet.slots),
        validate_min=True,
        validate_max=True,
    ),
)


def target_formset_initial(targets: list[Target]) -> list[dict[str, Any]]:
    by_slot = {(t.priority, t.metric): t for t in targets}
    initial = []
    for slot in BaseTargetFormSet.slots:
        target = by_slot.get(slot)
        initial.append(
            {
                "duration": target.duration if target else None,
                "warning_percent": target.warning_percent if target else DEFAULT_WARNING_PERCENT,
            }
        )
    return initial


# --- calendars and holidays ----------------------------------------------------------------------


def _weekday_field_name(weekday: int) -> str:
    return f"weekday_{weekday}"


class CalendarForm(forms.Form):
    """A calendar's settings and its weekly schedule, one line of hours per weekday."""

    is_24x7 = Calendar._meta.get_field("is_24x7").formfield()
    use_public_holidays = Calendar._meta.get_field("use_public_holidays").formfield()
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, name in WEEKDAYS.items():
            self.fields[_weekday_field_name(weekday)] = DayHoursField(
                label=name, help_text="" if weekday else HOURS_HELP
            )

    @staticmethod
    def initial_for(
        calendar: Calendar, weekly_hours: dict[int, list[tuple[int, int]]]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "is_24x7": calendar.is_24x7,
            "use_public_holidays": calendar.use_public_holidays,
            "description": calendar.shown_description,
        }
        for weekday in range(7):
            initial[_weekday_field_name(weekday)] = weekly_hours.get(weekday, [])
        return initial

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[_weekday_field_name(weekday)] for weekday in range(7)]

    def weekly_hours(self) -> dict[int, list[tuple[int, int]]]:
        return {
            weekday: self.cleaned_data.get(_weekday_field_name(weekday)) or []
            for weekday in range(7)
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            rows = [
                (weekday, start, end)
                for weekday, intervals in self.weekly_hours().items()
                for start, end in intervals
            ]
            try:
                check_weekly_schedule(rows, is_24x7=bool(data.get("is_24x7")))
            except ValidationError as error:
                apply_errors(self, error)
        return data


class HolidayForm(forms.ModelForm[Holiday]):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PublicHolidaysForm(forms.Form):
    """Which country's public holidays to show beside a calendar."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1970, max_value=2100, required=False)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", _("Choose a country"))] + [
            (code, f"{name} ({code})") for code, name in countries
        ]


# --- the priority matrix -------------------------------------------------------------------------


def _cell_name(impact: str, urgency: str) -> str:
    return f"{urgency}_{impact}"


class PriorityMatrixForm(forms.Form):
    """Nine cells: a priority for each urgency (rows) and impact (columns)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency, urgency_label in Level.choices:
            for impact, impact_label in IMPACT_CHOICES:
                self.fields[_cell_name(impact, urgency)] = forms.ChoiceField(
                    label=_("Urgency %(urgency)s, impact %(impact)s")
                    % {"urgency": urgency_label, "impact": impact_label},
                    choices=Priority.choices,
                )

    @staticmethod
    def initial_for(cells: dict[tuple[str, str], str]) -> dict[str, str]:
        return {_cell_name(impact, urgency): value for (impact, urgency), value in cells.items()}

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                str(urgency_label),
                [self[_cell_name(impact, urgency)] for impact in Level.values],
            )
            for urgency, urgency_label in Level.choices
        ]

    def matrix(self) -> dict[tuple[str, str], str]:
        return {
            (impact, urgency): self.cleaned_data[_cell_name(impact, urgency)]
            for impact in Level.values
            for urgency in Level.values
        }


# --- admin ---------------------------------------------------------------------------------------


class CalendarIntervalAdminForm(forms.ModelForm[CalendarInterval]):
    start_minute = ClockTimeField(label=_("Opens at"), help_text=_("HH:MM"))
    end_minute = ClockTimeField(label=_("Closes at"), help_text=_("HH:MM; 24:00 ends the day"))

    class Meta:
        model = CalendarInterval
        fields = ["weekday", "start_minute", "end_minute"]


class TargetAdminForm(forms.ModelForm[Target]):
    duration = DurationTextField(label=_("Target"))

    class Meta:
        model = Target
        fields = ["priority", "metric", "duration", "warning_percent"]


class DashboardFilterForm(forms.Form):
    """The dashboard's period (in the manager's time zone) and filters."""

    PERIODS = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")),
               ("custom", _("Chosen dates"))]  # fmt: skip

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="30", required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=None,
        required=False,
        empty_label=pgettext_lazy("feminine: all organizations", "All"),
        widget=LongSelect,
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    product: forms.ModelChoiceField[Product] = forms.ModelChoiceField(
        label=_("Product"), queryset=None, required=False, empty_label=_("All")
    )
    engineer: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Engineer"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tier, priority = self.fields["tier"], self.fields["priority"]
        organization, product = self.fields["organization"], self.fields["product"]
        engineer = self.fields["engineer"]
        assert isinstance(tier, forms.ChoiceField)
        assert isinstance(priority, forms.ChoiceField)
        assert isinstance(organization, forms.ModelChoiceField)
        assert isinstance(product, forms.ModelChoiceField)
        assert isinstance(engineer, forms.ModelChoiceField)
        tier.choices = [("", _("All")), *Tier.choices]
        priority.choices = [
            ("", pgettext_lazy("feminine: all priorities", "All")),
            *Priority.choices,
        ]
        organization.queryset = Organization.objects.order_by("name")
        product.queryset = Product.objects.order_by("name")
        engineer.queryset = staff_users()

    # Days the reports can span: a period's weeks and local midnights must stay inside
    # the calendar Python and the database can count in (years 1 to 9999).
    FIRST_DAY = date(1970, 1, 1)
    LAST_DAY = date(9998, 12, 31)

    def _clean_day(self, name: str) -> date | None:
        day: date | None = self.cleaned_data.get(name)
        if day is not None and not self.FIRST_DAY <= day <= self.LAST_DAY:
            raise ValidationError(
                _("Choose dates between %(first)s and %(last)s."),
                params={"first": self.FIRST_DAY.isoformat(), "last": self.LAST_DAY.isoformat()},
            )
        return day

    def clean_start(self) -> date | None:
        return self._clean_day("start")

    def clean_end(self) -> date | None:
        return self._clean_day("end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Choose the first day."))
            if not end:
                self.add_error("end", _("Choose the last day."))
            if start and end and start > end:
                self.add_error("end", _("The last day comes before the first."))
            if start and end and (end - start).days > 366 * 2:
                self.add_error("end", _("Choose a period of at most two years."))
        return data
