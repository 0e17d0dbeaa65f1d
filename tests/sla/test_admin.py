"""The Django admin for SLA data validates with the same rules as the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from sla.models import Calendar, CalendarInterval, SupportPlan, Target
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(ManagerFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", ["calendar", "holiday", "supportplan", "target", "tierpolicy", "priorityrule"]
)
def test_changelist_and_add_pages_open(admin_client, model):
    assert admin_client.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:sla_{model}_add")).status_code == 200


def test_change_pages_of_seeded_rows_open(admin_client):
    calendar = Calendar.objects.get(name="Business hours")
    plan = SupportPlan.objects.get(code="standard")
    assert (
        admin_client.get(reverse("admin:sla_calendar_change", args=[calendar.pk])).status_code
        == 200
    )
    html = admin_client.get(
        reverse("admin:sla_supportplan_change", args=[plan.pk])
    ).content.decode()
    assert 'value="1h"' in html  # targets shown as words


def calendar_data(intervals: list[tuple[int, str, str]], **fields: str) -> dict[str, str]:
    data = {
        "name": "Support desk",
        "use_public_holidays": "on",
        "description": "",
        "intervals-TOTAL_FORMS": str(len(intervals)),
        "intervals-INITIAL_FORMS": "0",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
        **fields,
    }
    for index, (weekday, start, end) in enumerate(intervals):
        data[f"intervals-{index}-weekday"] = str(weekday)
        data[f"intervals-{index}-start_minute"] = start
        data[f"intervals-{index}-end_minute"] = end
    return data


def test_admin_adds_a_calendar_with_its_hours(admin_client):
    data = calendar_data([(0, "08:00", "12:00"), (0, "13:00", "24:00")])
    response = admin_client.post(reverse("admin:sla_calendar_add"), data)
    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Support desk")
    assert list(calendar.intervals.values_list("start_minute", "end_minute")) == [
        (480, 720),
        (780, 1440),
    ]


@pytest.mark.parametrize(
    ("intervals", "message"),
    [
        ([(0, "08:00", "12:00"), (0, "11:00", "17:00")], "overlaps"),
        ([(0, "17:00", "08:00")], "must end after it starts"),
        ([], "needs some open time"),
    ],
)
def test_admin_refuses_a_bad_schedule(admin_client, intervals, message):
    response = admin_client.post(reverse("admin:sla_calendar_add"), calendar_data(intervals))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Calendar.objects.filter(name="Support desk").exists()


def test_admin_allows_a_24x7_calendar_without_hours(admin_client):
    response = admin_client.post(reverse("admin:sla_calendar_add"), calendar_data([], is_24x7="on"))
    assert response.status_code == 302


def test_admin_can_swap_two_intervals_in_one_save(admin_client):
    calendar = Calendar.objects.create(name="Split")
    morning = CalendarInterval.objects.create(
        calendar=calendar, weekday=0, start_minute=480, end_minute=720
    )
    afternoon = CalendarInterval.objects.create(
        calendar=calendar, weekday=0, start_minute=780, end_minute=1020
    )
    data = calendar_data([], name="Split")
    data.update(
        {
            "intervals-TOTAL_FORMS": "2",
            "intervals-INITIAL_FORMS": "2",
            "intervals-0-id": str(morning.pk),
            "intervals-0-calendar": str(calendar.pk),
            "intervals-0-weekday": "0",
            "intervals-0-start_minute": "13:00",
            "intervals-0-end_minute": "17:00",
            "intervals-1-id": str(afternoon.pk),
            "intervals-1-calendar": str(calendar.pk),
            "intervals-1-weekday": "0",
            "intervals-1-start_minute": "09:00",
            "intervals-1-end_minute": "12:00",
        }
    )
    response = admin_client.post(reverse("admin:sla_calendar_change", args=[calendar.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def plan_data(plan: SupportPlan, targets: list[tuple[str, str, str, str]]) -> dict[str, str]:
    existing = list(plan.targets.order_by("priority", "metric"))
    data = {
        "name": plan.name,
        "code": plan.code,
        "calendar": str(plan.calendar_id or ""),
        "description": plan.description,
        "targets-TOTAL_FORMS": str(len(existing)),
        "targets-INITIAL_FORMS": str(len(existing)),
    }
    for index, (target, values) in enumerate(zip(existing, targets, strict=True)):
        priority, metric, duration, percent = values
        data.update(
            {
                f"targets-{index}-id": str(target.pk),
                f"targets-{index}-plan": str(plan.pk),
                f"targets-{index}-priority": priority,
                f"targets-{index}-metric": metric,
                f"targets-{index}-duration": duration,
                f"targets-{index}-warning_percent": percent,
            }
        )
    return data


def seeded_standard_rows(**changes: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    defaults = {"P1": ("1h", "25"), "P2": ("3h", "25"), "P3": ("8h", "25"), "P4": ("24h", "25")}
    defaults.update(changes)
    return [(p, "first_response", *defaults[p]) for p in ("P1", "P2", "P3", "P4")]


def test_admin_edits_a_target_in_words(admin_client):
    plan = SupportPlan.objects.get(code="standard")
    data = plan_data(plan, seeded_standard_rows(P1=("45m", "30")))
    response = admin_client.post(reverse("admin:sla_supportplan_change", args=[plan.pk]), data)
    assert response.status_code == 302
    target = Target.objects.get(plan=plan, priority="P1")
    assert (target.duration, target.warning_percent) == (timedelta(minutes=45), 30)


@pytest.mark.parametrize(
    ("p1", "message"),
    [
        (("0m", "25"), "A target must be longer than zero."),
        (("1h", "100"), "The warning threshold must be from 1 to 99 percent of the target."),
    ],
)
def test_admin_refuses_invalid_targets(admin_client, p1, message):
    plan = SupportPlan.objects.get(code="standard")
    data = plan_data(plan, seeded_standard_rows(P1=p1))
    response = admin_client.post(reverse("admin:sla_supportplan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    target = Target.objects.get(plan=plan, priority="P1")
    assert (target.duration, target.warning_percent) == (timedelta(hours=1), 25)


def test_admin_refuses_a_plan_with_targets_but_no_calendar(admin_client):
    plan = SupportPlan.objects.get(code="standard")
    data = plan_data(plan, seeded_standard_rows())
    data["calendar"] = ""
    response = admin_client.post(reverse("admin:sla_supportplan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.calendar_id is not None
