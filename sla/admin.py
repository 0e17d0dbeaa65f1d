"""Admin for plans, calendars, holidays, targets, tier policies and the priority matrix.

Forms validate with the models' own rules (``full_clean``); the inlines check the whole
weekly schedule and a plan's targets with the same functions the services use.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import WithAnnotations

from sla import selectors
from sla.explain import format_duration
from sla.forms import CalendarIntervalAdminForm, TargetAdminForm
from sla.models import (
    Calendar,
    CalendarInterval,
    Holiday,
    PriorityRule,
    SupportPlan,
    Target,
    TierPolicy,
    check_plan_calendar,
    check_weekly_schedule,
)


def _kept_forms(formset: BaseInlineFormSet[Any, Any, Any]) -> list[Any]:
    return [
        form
        for form in formset.forms
        if form.cleaned_data
        # _should_delete_form is Django's private helper, absent from django-stubs.
        and not (formset.can_delete and formset._should_delete_form(form))  # type: ignore[attr-defined]
    ]


class CalendarIntervalFormSet(BaseInlineFormSet[CalendarInterval, Calendar]):
    """The calendar's whole schedule at once: no overlaps, and some open time unless 24x7."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        # _construct_form is Django's private hook, absent from django-stubs.
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.skip_sibling_check = True  # checked together in clean()
        return form

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [
            (
                form.cleaned_data["weekday"],
                form.cleaned_data["start_minute"],
                form.cleaned_data["end_minute"],
            )
            for form in _kept_forms(self)
        ]
        try:
            check_weekly_schedule(rows, is_24x7=self.instance.is_24x7)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class CalendarIntervalInline(admin.TabularInline[CalendarInterval, Calendar]):
    model = CalendarInterval
    form = CalendarIntervalAdminForm
    formset = CalendarIntervalFormSet
    extra = 0


class HolidayInline(admin.TabularInline[Holiday, Calendar]):
    model = Holiday
    extra = 0
    ordering = ["-date"]


class _HolidayCount(TypedDict):
    holiday_count: int


class _TargetCount(TypedDict):
    target_count: int


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin[Calendar]):
    list_display = ["name", "is_24x7", "use_public_holidays", "schedule", "holiday_count"]
    list_filter = ["is_24x7", "use_public_holidays"]
    search_fields = ["name", "description"]
    inlines = [CalendarIntervalInline, HolidayInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Calendar]:
        return (
            super()
            .get_queryset(request)
            .annotate(holiday_count=Count("holidays", distinct=True))
            .prefetch_related("intervals")
        )

    @admin.display(description=_("weekly hours"))
    def schedule(self, calendar: Calendar) -> str:
        if calendar.is_24x7:
            return str(_("24x7"))
        return selectors.schedule_summary(calendar.intervals.all())

    @admin.display(description=_("own holidays"), ordering="holiday_count")
    def holiday_count(self, calendar: WithAnnotations[Calendar, _HolidayCount]) -> int:
        return calendar.holiday_count


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]


class TargetFormSet(BaseInlineFormSet[Target, SupportPlan]):
    """A plan with targets needs a calendar (the same rule as the services)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        calendar = self.instance.calendar if self.instance.calendar_id else None
        try:
            check_plan_calendar(calendar=calendar, has_targets=bool(_kept_forms(self)))
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class TargetInline(admin.TabularInline[Target, SupportPlan]):
    model = Target
    form = TargetAdminForm
    formset = TargetFormSet
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin[SupportPlan]):
    list_display = ["name", "code", "calendar", "target_count"]
    list_filter = ["calendar", "calendar__is_24x7"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}
    list_select_related = ["calendar"]
    inlines = [TargetInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportPlan]:
        return super().get_queryset(request).annotate(target_count=Count("targets"))

    @admin.display(description=_("targets"), ordering="target_count")
    def target_count(self, plan: WithAnnotations[SupportPlan, _TargetCount]) -> int:
        return plan.target_count


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    form = TargetAdminForm
    list_display = ["plan", "priority", "metric", "target_duration", "warning_percent"]
    list_filter = ["plan", "priority", "metric"]
    list_select_related = ["plan"]
    fields = ["plan", "priority", "metric", "duration", "warning_percent"]

    @admin.display(description=_("target"), ordering="duration")
    def target_duration(self, target: Target) -> str:
        return format_duration(target.duration)


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin[TierPolicy]):
    list_display = ["tier", "plan", "lapsed_plan"]
    list_filter = ["plan", "lapsed_plan"]
    list_select_related = ["plan", "lapsed_plan"]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin[PriorityRule]):
    list_display = ["urgency", "impact", "priority"]
    list_filter = ["priority", "urgency", "impact"]
    list_editable = ["priority"]
