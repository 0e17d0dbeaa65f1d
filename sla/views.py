"""The manager's SLA pages: plans and targets, calendars and holidays, the priority matrix.

Each view parses a form, calls one service, and renders; invalid input is shown back with
its errors and nothing is saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Tier
from accounts.permissions import manager_required
from helpdesk.forms import apply_errors
from helpdesk.spreadsheets import SafeCsvWriter
from sla import charts as charts_svg
from sla import reports, selectors, services
from sla.forms import (
    BaseTargetFormSet,
    CalendarForm,
    DashboardFilterForm,
    HolidayForm,
    PlanForm,
    PriorityMatrixForm,
    PublicHolidaysForm,
    TargetFormSet,
    target_formset_initial,
)
from sla.models import Calendar, Holiday, Metric, Priority, SupportPlan
from sla.monitor import monitor_status
from sla.reports import ReportFilters


@manager_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan with its calendar, targets table and tiers; the calendars; the matrix link."""
    return render(
        request,
        "sla/plan_list.html",
        {
            "overviews": selectors.plan_overviews(),
            "metrics": Metric.labels,
            "calendars": [
                (calendar, selectors.schedule_summary(calendar.intervals.all()))
                for calendar in selectors.calendar_list()
            ],
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    """A plan's calendar, description and its P1–P4 × metric targets, saved together."""
    plan = get_object_or_404(SupportPlan.objects.select_related("calendar"), code=code)
    initial = {"calendar": plan.calendar, "description": plan.shown_description}
    targets_initial = target_formset_initial(list(plan.targets.all()))
    if request.method == "POST":
        form = PlanForm(request.POST, initial=initial)
        formset = TargetFormSet(request.POST, initial=targets_initial, prefix="targets")
        if form.is_valid() and formset.is_valid():
            try:
                services.plan_update(
                    plan=plan,
                    calendar=form.cleaned_data["calendar"],
                    description=form.cleaned_data["description"],
                    targets=formset.targets(),
                )
            except ValidationError as error:
                _apply_plan_errors(form, formset, error)
            else:
                messages.success(
                    request,
                    _("The targets of %(plan)s were saved. New tickets get them.")
                    % {"plan": plan.shown_name},
                )
                return redirect("sla:plan_list")
        messages.error(request, _("Nothing was saved: correct the errors below."))
    else:
        form = PlanForm(initial=initial)
        formset = TargetFormSet(initial=targets_initial, prefix="targets")
    return render(
        request,
        "sla/plan_edit.html",
        {"plan": plan, "form": form, "formset": formset, "metrics": Metric.choices},
    )


def _apply_plan_errors(form: PlanForm, formset: BaseTargetFormSet, error: ValidationError) -> None:
    """Service errors keyed ``"P1.first_response.duration"`` go to that target's form."""
    forms_by_slot = {(f.priority, f.metric): f for f in formset.forms}
    for key, field_messages in error.message_dict.items():
        priority, _dot, rest = key.partition(".")
        metric, _dot, field = rest.partition(".")
        target_form = forms_by_slot.get((priority, metric))
        if target_form is not None:
            target_form.add_error(field if field in target_form.fields else None, field_messages)
        else:
            form.add_error(key if key in form.fields else None, field_messages)


def _calendar_context(
    request: HttpRequest,
    calendar: Calendar,
    *,
    calendar_form: CalendarForm | None = None,
    holiday_form: HolidayForm | None = None,
) -> dict[str, Any]:
    weekly_hours = selectors.weekly_hours_of(calendar)
    if calendar_form is None:
        calendar_form = CalendarForm(initial=CalendarForm.initial_for(calendar, weekly_hours))
    if holiday_form is None:
        holiday_form = HolidayForm(instance=Holiday(calendar=calendar))
    countries = selectors.supported_countries()
    language = translation.to_locale(translation.get_language() or "en")  # "pt_BR"
    this_year = timezone.localdate().year
    public_form = PublicHolidaysForm(
        request.GET or None,
        countries=countries,
        # On a tie, the viewer's own country ("BR" of pt_BR), whose holidays read in their language.
        initial={
            "country": selectors.most_common_country(prefer=language.partition("_")[2]),
            "year": this_year,
        },
    )
    country, year = public_form.initial["country"], this_year
    if public_form.is_bound and public_form.is_valid():
        country = public_form.cleaned_data["country"]
        year = public_form.cleaned_data["year"] or this_year
    public = selectors.public_holidays(country=country, years=[year], language=language)
    return {
        "calendar": calendar,
        "calendar_form": calendar_form,
        "holiday_form": holiday_form,
        "summary": selectors.schedule_summary(calendar.intervals.all()),
        "holidays": list(calendar.holidays.all()),
        "plans": list(calendar.plans.all()),
        "public_form": public_form,
        "public_country": country,
        "public_year": year,
        "public_holidays": sorted(public.items()),
    }


def _get_calendar(pk: int) -> Calendar:
    try:
        return selectors.calendar_detail(pk)
    except Calendar.DoesNotExist:
        raise Http404 from None


@manager_required
@require_http_methods(["GET", "POST"])
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A calendar's settings and weekly hours (editable), its holidays, public holidays."""
    calendar = _get_calendar(pk)
    calendar_form = None
    if request.method == "POST":
        calendar_form = CalendarForm(request.POST)
        if calendar_form.is_valid():
            try:
                services.calendar_update(
                    calendar=calendar,
                    is_24x7=calendar_form.cleaned_data["is_24x7"],
                    use_public_holidays=calendar_form.cleaned_data["use_public_holidays"],
                    description=calendar_form.cleaned_data["description"],
                    weekly_hours=calendar_form.weekly_hours(),
                )
            except ValidationError as error:
                apply_errors(calendar_form, error)
            else:
                messages.success(
                    request,
                    _("The calendar %(name)s was saved. New tickets use it.")
                    % {"name": calendar.shown_name},
                )
                return redirect("sla:calendar_detail", pk=calendar.pk)
        messages.error(request, _("Nothing was saved: correct the errors below."))
    return render(
        request,
        "sla/calendar_detail.html",
        _calendar_context(request, calendar, calendar_form=calendar_form),
    )


@manager_required
@require_POST
def holiday_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one of the calendar's own holidays."""
    calendar = _get_calendar(pk)
    form = HolidayForm(request.POST, instance=Holiday(calendar=calendar))
    if form.is_valid():
        try:
            holiday = services.holiday_add(
                calendar=calendar, date=form.cleaned_data["date"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s on %(date)s was added.")
                % {"name": holiday.name, "date": holiday.date.isoformat()},
            )
            return redirect("sla:calendar_detail", pk=calendar.pk)
    messages.error(request, _("The holiday was not added: correct the errors below."))
    return render(
        request, "sla/calendar_detail.html", _calendar_context(request, calendar, holiday_form=form)
    )


@manager_required
@require_POST
def holiday_remove(request: HttpRequest, pk: int, holiday_pk: int) -> HttpResponse:
    """Remove one of the calendar's own holidays."""
    holiday = get_object_or_404(Holiday, pk=holiday_pk, calendar_id=pk)
    services.holiday_remove(holiday=holiday)
    messages.success(
        request,
        _("%(name)s on %(date)s was removed.")
        % {"name": holiday.name, "date": holiday.date.isoformat()},
    )
    return redirect("sla:calendar_detail", pk=pk)


@manager_required
@require_http_methods(["GET", "POST"])
def priority_matrix(request: HttpRequest) -> HttpResponse:
    """The impact × urgency matrix that derives a new ticket's priority (view and edit)."""
    initial = PriorityMatrixForm.initial_for(
        {
            (impact, urgency): priority
            for impact, row in services.priority_matrix().items()
            for urgency, priority in row.items()
        }
    )
    if request.method == "POST":
        form = PriorityMatrixForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.priority_matrix_update(matrix=form.matrix())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("The priority matrix was saved. New tickets follow it.")
                )
                return redirect("sla:priority_matrix")
        messages.error(request, _("Nothing was saved: correct the errors below."))
    else:
        form = PriorityMatrixForm(initial=initial)
    return render(request, "sla/priority_matrix.html", {"form": form})


# --- Manager dashboard ----------------------------------------------------------------


def _dashboard_filters(request: HttpRequest) -> tuple[DashboardFilterForm, ReportFilters]:
    """The filters from the query string; invalid values fall back to the last 30 days."""
    form = DashboardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = ReportFilters.for_period(
        period=data.get("period") or "",
        today=timezone.localdate(),
        start=data.get("start"),
        end=data.get("end"),
        # The zone's key: get_current_timezone_name() gives "+03" for "Etc/GMT-3".
        zone=str(timezone.get_current_timezone()),
        tier=data.get("tier") or "",
        organization_id=data["organization"].pk if data.get("organization") else None,
        priority=data.get("priority") or "",
        product_id=data["product"].pk if data.get("product") else None,
        engineer_id=data["engineer"].pk if data.get("engineer") else None,
    )
    return form, filters


def _queue_link(filters: ReportFilters, **params: str) -> str:
    """The engineer queue filtered to exactly the tickets a dashboard number counts."""
    params = {
        "organization": str(filters.organization_id or ""),
        "product": str(filters.product_id or ""),
        "assignee": str(filters.engineer_id or ""),
        **params,
    }
    return reverse("queue") + "?" + urlencode({k: v for k, v in params.items() if v})


def _counts(cells: Iterable[object]) -> list[int]:
    """A charted column of a report table, whose cells are counts."""
    counts = []
    for cell in cells:
        assert isinstance(cell, int), cell
        counts.append(cell)
    return counts


def _week_label(week: object) -> str:
    """A week (its Monday) as the viewer's language writes a day and month ("2 Mar")."""
    assert isinstance(week, datetime.date), week
    return formats.date_format(week, "MONTH_DAY_FORMAT")


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """SLA now (at risk, breached, monitor, load) and over a period (attainment, breaches...)."""
    form, filters = _dashboard_filters(request)
    now = timezone.now()
    tables = reports.dashboard_tables(filters, now=now)
    tier_codes = {str(label): code for code, label in Tier.choices}
    now_cells: dict[tuple[str, str], dict[str, object]] = {}
    for row in tables["now"].rows:
        tier_label, priority = str(row[0]), str(row[1])
        tier = tier_codes.get(tier_label, tier_label)
        now_cells[(tier, priority)] = {
            "at_risk": row[3],
            "breached": row[4],
            "at_risk_url": _queue_link(filters, tier=tier, priority=priority, sla="at_risk"),
            "breached_url": _queue_link(filters, tier=tier, priority=priority, sla="breached"),
        }
    now_grid = [
        (tier, label, [(p, now_cells.get((tier, p))) for p in Priority.values])
        for tier, label in Tier.choices
        if any((tier, p) in now_cells for p in Priority.values)
    ]
    weeks = tables["breaches_week"].rows
    opened = tables["opened_solved"].rows
    distribution = tables["distribution"]
    in_table = _("Its figures are in the table that follows the chart.")
    charts = {
        "breaches_week": charts_svg.bar_chart(
            str(tables["breaches_week"].title),
            [_week_label(row[0]) for row in weeks],
            [(_("Breaches"), _counts(row[1] for row in weeks))],
            y_label=_("breaches per week"),
            summary=in_table,
        ),
        "opened_solved": charts_svg.bar_chart(
            str(tables["opened_solved"].title),
            [_week_label(row[0]) for row in opened],
            [
                (_("Opened"), _counts(row[1] for row in opened)),
                (_("Solved"), _counts(row[2] for row in opened)),
            ],
            y_label=_("tickets per week"),
            summary=in_table,
        ),
        "distribution": charts_svg.bar_chart(
            str(distribution.title),
            distribution.headers[1:],
            [(str(row[0]), _counts(row[1:])) for row in distribution.rows],
            y_label=_("first responses"),
            target_after=reports.TARGET_BUCKET,
            target_label=_("target"),
            summary=in_table,
        ),
    }
    return render(
        request,
        "sla/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "tables": tables,
            "now_grid": now_grid,
            "priorities": Priority.values,
            "charts": charts,
            "monitor": monitor_status(),
            "query_string": request.GET.urlencode(),
            "breached_p1_url": _queue_link(filters, priority="P1", sla="breached"),
        },
    )


@manager_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """The rows behind one dashboard table or chart, as CSV."""
    form, filters = _dashboard_filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(
                f"{name}: {' '.join(str(error) for error in errors)}"
                for name, errors in form.errors.items()
            ),
            content_type="text/plain; charset=utf-8",
        )
    chosen = reports.dashboard_table(table, filters, now=timezone.now())
    if chosen is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"'
    )
    writer = SafeCsvWriter(response)
    writer.writerow(chosen.headers)
    writer.writerows(chosen.rows)
    return response
