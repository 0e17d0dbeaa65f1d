"""The manager's SLA pages: who may open them, what they show, and edits kept or refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from sla.explain import format_duration
from sla.models import Calendar, CalendarInterval, Holiday, PriorityRule, SupportPlan, Target
from tests.factories import (
    CalendarFactory,
    HolidayFactory,
    ManagerFactory,
    SupportPlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def business_hours() -> Calendar:
    return Calendar.objects.get(name="Business hours")


def page_urls() -> list[str]:
    calendar = business_hours()
    return [
        reverse("sla:plan_list"),
        reverse("sla:plan_edit", args=["standard"]),
        reverse("sla:calendar_detail", args=[calendar.pk]),
        reverse("sla:priority_matrix"),
    ]


# --- permissions ---------------------------------------------------------------------------------


def test_managers_open_every_sla_page(manager_client):
    for url in page_urls():
        assert manager_client.get(url).status_code == 200, url


def test_engineers_are_refused(engineer_client):
    for url in page_urls():
        assert engineer_client.get(url).status_code == 403, url


def test_customers_are_refused(customer_client):
    for url in page_urls():
        assert customer_client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(client):
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_engineers_cannot_post_edits(engineer_client):
    calendar = business_hours()
    holiday = HolidayFactory(calendar=calendar)
    posts = [
        (reverse("sla:holiday_add", args=[calendar.pk]), {"date": "2026-12-24", "name": "Eve"}),
        (reverse("sla:holiday_remove", args=[calendar.pk, holiday.pk]), {}),
        (reverse("sla:priority_matrix"), matrix_post()),
    ]
    for url, data in posts:
        assert engineer_client.post(url, data).status_code == 403, url
    assert Holiday.objects.filter(pk=holiday.pk).exists()
    assert Holiday.objects.count() == 1


def test_only_managers_see_sla_plans_in_the_navigation(manager_client, engineer):
    labels = [str(item["label"]) for item in manager_client.get("/").context["nav_items"]]
    assert "SLA plans" in labels
    manager_client.force_login(engineer)
    labels = [str(item["label"]) for item in manager_client.get("/").context["nav_items"]]
    assert "SLA plans" not in labels


# --- the plan list -------------------------------------------------------------------------------


def test_plan_list_shows_calendars_targets_and_tiers(manager_client):
    response = manager_client.get(reverse("sla:plan_list"))
    html = response.content.decode()
    assert "Standard" in html and "Premium" in html and "Community" in html
    assert "Mon–Fri 08:00–17:00" in html
    assert "No targets: best effort." in html
    overviews = {o.plan.code: o for o in response.context["overviews"]}
    standard = overviews["standard"]
    assert [format_duration(row.cells[0].duration) for row in standard.rows] == [
        "1h",
        "3h",
        "8h",
        "24h",
    ]
    assert [row.cells[1] for row in standard.rows] == [None] * 4
    assert standard.tiers == ["Standard"]
    assert sorted(overviews["premium"].tiers) == ["Premium", "Trial"]
    assert overviews["community"].tiers == ["Community", "Trial (after the trial)"]
    assert not overviews["community"].has_targets


def test_plan_list_query_count_does_not_grow_with_plans(
    manager_client, django_assert_max_num_queries
):
    for _ in range(6):
        plan = SupportPlanFactory()
        TargetFactory(plan=plan, priority="P1")
        TargetFactory(plan=plan, priority="P2")
        HolidayFactory(calendar=plan.calendar)
    with django_assert_max_num_queries(11):
        response = manager_client.get(reverse("sla:plan_list"))
    assert response.status_code == 200
    assert len(response.context["overviews"]) == 9


# --- editing a plan's targets --------------------------------------------------------------------


def targets_post(plan: SupportPlan, **changes: tuple[str, str]) -> dict[str, str]:
    """The form as the page shows it for the plan, with some slots changed.

    `changes` maps "P1_first_response" to (duration text, warning percent text).
    """
    response_data: dict[str, str] = {
        "calendar": str(plan.calendar_id or ""),
        "description": plan.description,
        "targets-TOTAL_FORMS": "8",
        "targets-INITIAL_FORMS": "8",
        "targets-MIN_NUM_FORMS": "8",
        "targets-MAX_NUM_FORMS": "8",
    }
    existing = {(t.priority, t.metric): t for t in plan.targets.all()}
    index = 0
    for priority in ("P1", "P2", "P3", "P4"):
        for metric in ("first_response", "resolution"):
            target = existing.get((priority, metric))
            duration, percent = changes.get(
                f"{priority}_{metric}",
                (
                    f"{int(target.duration.total_seconds()) // 60}m" if target else "",
                    str(target.warning_percent) if target else "25",
                ),
            )
            response_data[f"targets-{index}-duration"] = duration
            response_data[f"targets-{index}-warning_percent"] = percent
            index += 1
    return response_data


def standard_targets() -> dict[tuple[str, str], tuple[timedelta, int]]:
    return {
        (t.priority, t.metric): (t.duration, t.warning_percent)
        for t in Target.objects.filter(plan__code="standard")
    }


def test_plan_edit_shows_the_targets_in_words(manager_client):
    html = manager_client.get(reverse("sla:plan_edit", args=["standard"])).content.decode()
    assert 'value="1h"' in html
    assert 'value="24h"' in html


def test_plan_edit_saves_friendly_durations(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    data = targets_post(plan, P1_first_response=("1h 30m", "20"), P2_resolution=("16h", "10"))
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data)
    assert response.status_code == 302
    targets = standard_targets()
    assert targets[("P1", "first_response")] == (timedelta(hours=1, minutes=30), 20)
    assert targets[("P2", "resolution")] == (timedelta(hours=16), 10)
    assert targets[("P4", "first_response")] == (timedelta(hours=24), 25)


def test_plan_edit_an_empty_target_removes_it(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    data = targets_post(plan, P4_first_response=("", "25"))
    assert manager_client.post(reverse("sla:plan_edit", args=["standard"]), data).status_code == 302
    assert ("P4", "first_response") not in standard_targets()


@pytest.mark.parametrize(
    ("duration", "percent", "field", "message"),
    [
        ("0m", "25", "duration", "A target must be longer than zero."),
        ("soon", "25", "duration", "is not a duration"),
        ("8", "25", "duration", "Give a unit"),
        ("1h", "0", "warning_percent", "from 1 to 99 percent"),
        ("1h", "100", "warning_percent", "from 1 to 99 percent"),
    ],
)
def test_plan_edit_refuses_invalid_targets_and_saves_nothing(
    manager_client, duration, percent, field, message
):
    plan = SupportPlan.objects.get(code="standard")
    before = standard_targets()
    data = targets_post(
        plan, P2_first_response=("30m", "25"), P1_first_response=(duration, percent)
    )
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data)
    assert response.status_code == 200
    form = response.context["formset"].forms[0]
    assert any(message in error for error in form.errors[field])
    assert standard_targets() == before
    html = response.content.decode()
    assert f'value="{duration}"' in html  # what the manager typed is kept
    assert "Nothing was saved" in html


def test_plan_edit_refuses_removing_the_calendar_of_a_plan_with_targets(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    data = targets_post(plan)
    data["calendar"] = ""
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data)
    assert response.status_code == 200
    assert "calendar" in response.context["form"].errors
    plan.refresh_from_db()
    assert plan.calendar == business_hours()


def test_plan_edit_refuses_a_tampered_number_of_forms(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    data = targets_post(plan)
    data["targets-TOTAL_FORMS"] = "3"
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data)
    assert response.status_code == 200
    assert standard_targets()[("P4", "first_response")] == (timedelta(hours=24), 25)


def test_plan_edit_of_an_unknown_plan_is_404(manager_client):
    assert manager_client.get(reverse("sla:plan_edit", args=["nope"])).status_code == 404


# --- calendars and holidays ----------------------------------------------------------------------


def calendar_post(**changes: str) -> dict[str, str]:
    data = {
        "is_24x7": "",
        "use_public_holidays": "on",
        "description": "",
        **{f"weekday_{day}": "08:00–17:00" for day in range(5)},
        "weekday_5": "",
        "weekday_6": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != "" or key.startswith("week")}


def saved_hours(calendar: Calendar) -> list[tuple[int, int, int]]:
    return list(
        CalendarInterval.objects.filter(calendar=calendar)
        .order_by("weekday", "start_minute")
        .values_list("weekday", "start_minute", "end_minute")
    )


def test_calendar_page_shows_the_schedule_in_words(manager_client):
    calendar = business_hours()
    html = manager_client.get(reverse("sla:calendar_detail", args=[calendar.pk])).content.decode()
    assert "Mon–Fri 08:00–17:00" in html
    assert 'value="08:00–17:00"' in html


def test_calendar_weekly_hours_are_saved(manager_client):
    calendar = business_hours()
    data = calendar_post(weekday_0="9:00-12:00, 13:00 - 18:00", weekday_5="10:00–14:00")
    response = manager_client.post(reverse("sla:calendar_detail", args=[calendar.pk]), data)
    assert response.status_code == 302
    assert saved_hours(calendar)[:2] == [(0, 540, 720), (0, 780, 1080)]
    assert (5, 600, 840) in saved_hours(calendar)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekday_0": "08:00–12:00, 11:00–17:00"}, "weekday_0"),
        ({"weekday_1": "17:00–08:00"}, "weekday_1"),
        ({"weekday_2": "breakfast"}, "weekday_2"),
        ({"weekday_3": "08:00–25:00"}, "weekday_3"),
        ({f"weekday_{day}": "" for day in range(7)}, None),
    ],
)
def test_calendar_refuses_invalid_hours_and_saves_nothing(manager_client, changes, field):
    calendar = business_hours()
    before = (saved_hours(calendar), calendar.description)
    data = calendar_post(description="changed", **changes)
    response = manager_client.post(reverse("sla:calendar_detail", args=[calendar.pk]), data)
    assert response.status_code == 200
    form = response.context["calendar_form"]
    if field:
        assert form.errors[field]
    else:
        assert "needs some open time" in form.non_field_errors()[0]
    calendar.refresh_from_db()
    assert (saved_hours(calendar), calendar.description) == before


def test_a_calendar_can_become_24x7(manager_client):
    calendar = CalendarFactory()
    data = calendar_post(is_24x7="on", **{f"weekday_{day}": "" for day in range(7)})
    response = manager_client.post(reverse("sla:calendar_detail", args=[calendar.pk]), data)
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.is_24x7


@time_machine.travel("2026-05-01 12:00Z", tick=False)
def test_calendar_page_shows_the_public_holidays_of_a_country(manager_client):
    calendar = business_hours()
    url = reverse("sla:calendar_detail", args=[calendar.pk])
    html = manager_client.get(url, {"country": "DE", "year": "2026"}).content.decode()
    assert "German Unity Day" in html
    html = manager_client.get(url, {"country": "BR"}).content.decode()
    assert "Independence Day" in html  # this year, 2026


def test_calendar_page_defaults_to_the_most_common_customer_country(manager_client):
    from tests.factories import OrganizationFactory

    OrganizationFactory(country="BR")
    response = manager_client.get(reverse("sla:calendar_detail", args=[business_hours().pk]))
    assert response.context["public_country"] == "BR"
    assert response.context["public_holidays"]


def test_holiday_is_added_and_removed(manager_client):
    calendar = business_hours()
    response = manager_client.post(
        reverse("sla:holiday_add", args=[calendar.pk]),
        {"date": "2026-12-24", "name": "Christmas Eve"},
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(calendar=calendar)
    assert (holiday.date, holiday.name) == (date(2026, 12, 24), "Christmas Eve")
    response = manager_client.post(reverse("sla:holiday_remove", args=[calendar.pk, holiday.pk]))
    assert response.status_code == 302
    assert not Holiday.objects.filter(calendar=calendar).exists()


def test_a_duplicate_holiday_is_refused(manager_client):
    calendar = business_hours()
    HolidayFactory(calendar=calendar, date=date(2026, 12, 24), name="Christmas Eve")
    response = manager_client.post(
        reverse("sla:holiday_add", args=[calendar.pk]), {"date": "2026-12-24", "name": "Again"}
    )
    assert response.status_code == 200
    assert response.context["holiday_form"].errors["date"] == [
        "This calendar already has a holiday on that date."
    ]
    assert Holiday.objects.filter(calendar=calendar).count() == 1


def test_a_holiday_without_date_is_refused(manager_client):
    calendar = business_hours()
    response = manager_client.post(
        reverse("sla:holiday_add", args=[calendar.pk]), {"date": "", "name": "Someday"}
    )
    assert response.status_code == 200
    assert "date" in response.context["holiday_form"].errors
    assert not Holiday.objects.exists()


def test_a_holiday_of_another_calendar_cannot_be_removed_through_this_one(manager_client):
    holiday = HolidayFactory()
    response = manager_client.post(
        reverse("sla:holiday_remove", args=[business_hours().pk, holiday.pk])
    )
    assert response.status_code == 404
    assert Holiday.objects.filter(pk=holiday.pk).exists()


def test_holiday_remove_needs_post(manager_client):
    holiday = HolidayFactory(calendar=business_hours())
    url = reverse("sla:holiday_remove", args=[holiday.calendar_id, holiday.pk])
    assert manager_client.get(url).status_code == 405


# --- the priority matrix -------------------------------------------------------------------------


def matrix_post(**changes: str) -> dict[str, str]:
    data = {f"{rule.urgency}_{rule.impact}": rule.priority for rule in PriorityRule.objects.all()}
    data.update(changes)
    return data


def test_matrix_page_shows_the_policy(manager_client):
    response = manager_client.get(reverse("sla:priority_matrix"))
    form = response.context["form"]
    assert form.initial["high_high"] == "P1"
    assert form.initial["low_high"] == "P3"  # low urgency, high impact


def test_matrix_edit_is_saved(manager_client):
    response = manager_client.post(reverse("sla:priority_matrix"), matrix_post(low_low="P3"))
    assert response.status_code == 302
    assert PriorityRule.objects.get(impact="low", urgency="low").priority == "P3"


def test_matrix_refuses_an_unknown_priority_and_saves_nothing(manager_client):
    response = manager_client.post(
        reverse("sla:priority_matrix"), matrix_post(low_low="P3", high_high="P0")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["high_high"]
    assert PriorityRule.objects.get(impact="low", urgency="low").priority == "P4"
    assert PriorityRule.objects.get(impact="high", urgency="high").priority == "P1"


def test_pages_speak_brazilian_portuguese(client):
    client.force_login(ManagerFactory(language="pt-br"))
    response = client.get(reverse("sla:plan_list"))
    assert response.status_code == 200
    assert '<html lang="pt-br">' in response.content.decode()


def test_plan_edit_refuses_a_bad_threshold_even_without_a_target(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    before = standard_targets()
    data = targets_post(plan, P1_resolution=("", "100"))
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["warning_percent"]
    assert standard_targets() == before
