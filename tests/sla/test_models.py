"""The seeded policy, and the rules the database and the models keep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Tier
from sla.models import (
    Calendar,
    CalendarInterval,
    Holiday,
    PriorityRule,
    SupportPlan,
    Target,
    TierPolicy,
)
from tests.factories import (
    CalendarFactory,
    CalendarIntervalFactory,
    HolidayFactory,
    SupportPlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


# --- the seeded policy ---------------------------------------------------------------------------


def test_seeded_business_hours_calendar_is_monday_to_friday_8_to_17_with_public_holidays():
    calendar = Calendar.objects.get(name="Business hours")
    assert not calendar.is_24x7
    assert calendar.use_public_holidays
    hours = list(calendar.intervals.values_list("weekday", "start_minute", "end_minute"))
    assert sorted(hours) == [(day, 8 * 60, 17 * 60) for day in range(5)]


def test_seeded_24x7_calendar():
    assert Calendar.objects.get(name="24x7").is_24x7


def test_seeded_plans_and_their_calendars():
    plans = {plan.code: plan for plan in SupportPlan.objects.select_related("calendar")}
    assert set(plans) == {"community", "standard", "premium"}
    assert plans["community"].calendar is None
    assert plans["standard"].calendar.name == "Business hours"
    assert plans["premium"].calendar.name == "24x7"


def test_seeded_targets_are_first_response_with_a_25_percent_warning():
    targets = {
        (t.plan.code, t.priority): t.duration
        for t in Target.objects.select_related("plan").filter(metric="first_response")
    }
    assert targets == {
        ("standard", "P1"): timedelta(hours=1),
        ("standard", "P2"): timedelta(hours=3),
        ("standard", "P3"): timedelta(hours=8),
        ("standard", "P4"): timedelta(hours=24),
        ("premium", "P1"): timedelta(minutes=15),
        ("premium", "P2"): timedelta(minutes=60),
        ("premium", "P3"): timedelta(hours=4),
        ("premium", "P4"): timedelta(hours=8),
    }
    assert set(Target.objects.values_list("warning_percent", flat=True)) == {25}
    assert not Target.objects.exclude(metric="first_response").exists()


def test_seeded_tier_policies():
    policies = {
        policy.tier: (policy.plan.code, policy.lapsed_plan.code if policy.lapsed_plan else None)
        for policy in TierPolicy.objects.select_related("plan", "lapsed_plan")
    }
    assert policies == {
        Tier.COMMUNITY: ("community", None),
        Tier.STANDARD: ("standard", None),
        Tier.PREMIUM: ("premium", None),
        Tier.TRIAL: ("premium", "community"),
    }


def test_seeded_matrix_has_nine_cells():
    assert PriorityRule.objects.count() == 9


# --- database constraints ------------------------------------------------------------------------


def integrity_error(**kwargs: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        kwargs.pop("model").objects.create(**kwargs)  # type: ignore[attr-defined]


def test_database_refuses_a_zero_target():
    plan = SupportPlanFactory()
    integrity_error(
        model=Target, plan=plan, priority="P1", metric="first_response", duration=timedelta(0)
    )


def test_database_refuses_a_negative_target():
    plan = SupportPlanFactory()
    integrity_error(
        model=Target,
        plan=plan,
        priority="P1",
        metric="first_response",
        duration=timedelta(minutes=-1),
    )


@pytest.mark.parametrize("percent", [0, 100])
def test_database_refuses_a_warning_threshold_of_0_or_100_percent(percent):
    plan = SupportPlanFactory()
    integrity_error(
        model=Target,
        plan=plan,
        priority="P1",
        metric="first_response",
        duration=timedelta(hours=1),
        warning_percent=percent,
    )


def test_database_refuses_two_targets_for_one_priority_and_metric():
    target = TargetFactory()
    integrity_error(
        model=Target,
        plan=target.plan,
        priority=target.priority,
        metric=target.metric,
        duration=timedelta(hours=2),
    )


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(0, 600, 600), (0, 700, 600), (0, 0, 1441), (7, 480, 1020)],
)
def test_database_refuses_impossible_intervals(weekday, start, end):
    calendar = CalendarFactory(hours={})
    integrity_error(
        model=CalendarInterval,
        calendar=calendar,
        weekday=weekday,
        start_minute=start,
        end_minute=end,
    )


def test_a_whole_day_interval_is_allowed():
    interval = CalendarIntervalFactory(weekday=6, start_minute=0, end_minute=24 * 60)
    assert interval.end_text == "24:00"


def test_database_refuses_two_holidays_on_one_date_of_a_calendar():
    holiday = HolidayFactory()
    integrity_error(model=Holiday, calendar=holiday.calendar, date=holiday.date, name="Again")


def test_database_refuses_a_trial_policy_without_a_plan_after_the_trial():
    with pytest.raises(IntegrityError), transaction.atomic():
        TierPolicy.objects.filter(tier=Tier.TRIAL).update(lapsed_plan=None)


def test_database_refuses_a_plan_after_trial_for_other_tiers():
    community = SupportPlan.objects.get(code="community")
    with pytest.raises(IntegrityError), transaction.atomic():
        TierPolicy.objects.filter(tier=Tier.STANDARD).update(lapsed_plan=community)


def test_database_refuses_a_second_cell_for_one_impact_and_urgency():
    integrity_error(model=PriorityRule, impact="high", urgency="high", priority="P2")


def test_a_calendar_used_by_a_plan_cannot_be_deleted():
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Calendar.objects.get(name="Business hours").delete()


# --- model validation (what the admin and the services show) -------------------------------------


def test_validation_explains_a_zero_target():
    target = TargetFactory.build(plan=SupportPlanFactory(), duration=timedelta(0))
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict == {"duration": ["A target must be longer than zero."]}


@pytest.mark.parametrize("percent", [0, 100])
def test_validation_explains_a_warning_threshold_out_of_range(percent):
    target = TargetFactory.build(plan=SupportPlanFactory(), warning_percent=percent)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict == {
        "warning_percent": ["The warning threshold must be from 1 to 99 percent of the target."]
    }


def test_validation_explains_an_inverted_interval():
    interval = CalendarInterval(
        calendar=CalendarFactory(hours={}), weekday=0, start_minute=600, end_minute=540
    )
    with pytest.raises(ValidationError) as error:
        interval.full_clean()
    assert "end_minute" in error.value.message_dict


def test_validation_refuses_an_interval_overlapping_another_of_the_same_day():
    calendar = CalendarFactory()  # Mon-Fri 08:00-17:00
    overlapping = CalendarInterval(calendar=calendar, weekday=0, start_minute=960, end_minute=1080)
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert error.value.messages == ["Monday: 08:00–17:00 overlaps 16:00–18:00."]
    other_day = CalendarInterval(calendar=calendar, weekday=5, start_minute=960, end_minute=1080)
    other_day.full_clean()


def test_validation_refuses_a_second_holiday_on_a_date():
    holiday = HolidayFactory()
    duplicate = Holiday(calendar=holiday.calendar, date=holiday.date, name="Again")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.message_dict == {
        "date": ["This calendar already has a holiday on that date."]
    }


def test_validation_refuses_a_target_on_a_plan_without_calendar():
    target = TargetFactory.build(plan=SupportPlan.objects.get(code="community"))
    with pytest.raises(ValidationError):
        target.full_clean()


def test_validation_refuses_removing_the_calendar_of_a_plan_with_targets():
    plan = SupportPlan.objects.get(code="standard")
    plan.calendar = None
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "calendar" in error.value.message_dict


def test_validation_of_tier_policies():
    policy = TierPolicy.objects.get(tier=Tier.TRIAL)
    policy.lapsed_plan = None
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "lapsed_plan" in error.value.message_dict


def test_string_forms():
    assert str(SupportPlan.objects.get(code="standard")) == "Standard"
    assert str(CalendarIntervalFactory(weekday=0)) == "Monday 08:00–17:00"
    assert "P1" in str(PriorityRule.objects.get(impact="high", urgency="high"))
