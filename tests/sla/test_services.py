"""The SLA services read like the policy: the matrix, the plans per tier, trials, holidays,
deadlines, snapshots that keep old tickets on old terms, and edits that are refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Tier
from sla import explain, selectors, services
from sla.calendar import BusinessCalendar
from sla.models import (
    Calendar,
    CalendarInterval,
    Holiday,
    Level,
    Metric,
    Priority,
    PriorityRule,
    SupportPlan,
    Target,
    TierPolicy,
)
from tests.factories import (
    CalendarFactory,
    HolidayFactory,
    OrganizationFactory,
    PriorityRuleFactory,
    SupportPlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FIRST_RESPONSE = Metric.FIRST_RESPONSE


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def sao_paulo(*args: int) -> datetime:
    return local("America/Sao_Paulo", *args)


def standard_org(**kwargs: object):
    return OrganizationFactory(
        tier=Tier.STANDARD, time_zone=kwargs.pop("time_zone", "America/Sao_Paulo"), **kwargs
    )


# A Friday with no holiday nearby in Brazil.
FRIDAY_1630 = sao_paulo(2026, 3, 6, 16, 30)


# --- the priority matrix -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "impact", "priority"),
    [
        ("high", "high", "P1"),
        ("high", "medium", "P2"),
        ("high", "low", "P3"),
        ("medium", "high", "P2"),
        ("medium", "medium", "P3"),
        ("medium", "low", "P4"),
        ("low", "high", "P3"),
        ("low", "medium", "P4"),
        ("low", "low", "P4"),
    ],
)
def test_priority_is_derived_from_the_policy_matrix(urgency, impact, priority):
    assert services.derive_priority(impact=impact, urgency=urgency) == priority


def test_unknown_levels_are_refused_with_field_messages():
    with pytest.raises(ValidationError) as error:
        services.derive_priority(impact="huge", urgency="whenever")
    assert set(error.value.message_dict) == {"impact", "urgency"}


def test_the_matrix_is_data_a_changed_cell_is_followed():
    PriorityRuleFactory(impact=Level.LOW, urgency=Level.HIGH, priority=Priority.P2)
    assert services.derive_priority(impact="low", urgency="high") == "P2"


def test_a_cell_missing_from_the_table_falls_back_to_the_policy():
    PriorityRule.objects.filter(impact="high", urgency="high").delete()
    assert services.derive_priority(impact="high", urgency="high") == "P1"


def test_priority_matrix_is_impact_then_urgency():
    matrix = services.priority_matrix()
    assert matrix["high"] == {"high": "P1", "medium": "P2", "low": "P3"}
    assert matrix["low"]["high"] == "P3"  # low impact, high urgency
    assert matrix["medium"]["low"] == "P4"


def test_priority_matrix_update_replaces_every_cell():
    cells = {(i, u): "P4" for i in Level.values for u in Level.values}
    services.priority_matrix_update(matrix=cells)
    assert set(PriorityRule.objects.values_list("priority", flat=True)) == {"P4"}


def test_priority_matrix_update_refuses_an_unknown_priority_and_keeps_the_matrix():
    cells = {(i, u): "P4" for i in Level.values for u in Level.values}
    cells[("high", "high")] = "P9"
    with pytest.raises(ValidationError) as error:
        services.priority_matrix_update(matrix=cells)
    assert "high_high" in error.value.message_dict
    assert services.derive_priority(impact="high", urgency="high") == "P1"


def test_priority_matrix_update_refuses_a_missing_cell():
    with pytest.raises(ValidationError):
        services.priority_matrix_update(matrix={("high", "high"): "P1"})


# --- targets per tier (seeded policy) ------------------------------------------------------------

AT = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tier", "priority", "expected"),
    [
        (Tier.STANDARD, "P1", timedelta(hours=1)),
        (Tier.STANDARD, "P2", timedelta(hours=3)),
        (Tier.STANDARD, "P3", timedelta(hours=8)),
        (Tier.STANDARD, "P4", timedelta(hours=24)),
        (Tier.PREMIUM, "P1", timedelta(minutes=15)),
        (Tier.PREMIUM, "P2", timedelta(minutes=60)),
        (Tier.PREMIUM, "P3", timedelta(hours=4)),
        (Tier.PREMIUM, "P4", timedelta(hours=8)),
        (Tier.TRIAL, "P1", timedelta(minutes=15)),
        (Tier.TRIAL, "P2", timedelta(minutes=60)),
        (Tier.TRIAL, "P3", timedelta(hours=4)),
        (Tier.TRIAL, "P4", timedelta(hours=8)),
    ],
)
def test_first_response_target_of_each_tier_and_priority(tier, priority, expected):
    organization = OrganizationFactory(tier=tier, trial_ends_on=date(2026, 12, 31))
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert services.target_from_terms(terms, priority=priority, metric=FIRST_RESPONSE) == (
        expected,
        25,
    )


@pytest.mark.parametrize("priority", Priority.values)
def test_community_has_no_first_response_target(priority):
    organization = OrganizationFactory(tier=Tier.COMMUNITY)
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert services.target_from_terms(terms, priority=priority, metric=FIRST_RESPONSE) is None
    assert terms["calendar"] is None
    assert terms["targets"] == {}


def test_the_seeded_plans_set_no_resolution_targets():
    organization = OrganizationFactory(tier=Tier.PREMIUM)
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert services.target_from_terms(terms, priority="P1", metric=Metric.RESOLUTION) is None


def test_standard_is_business_hours_and_premium_is_24x7():
    standard = OrganizationFactory(tier=Tier.STANDARD)
    premium = OrganizationFactory(tier=Tier.PREMIUM)
    assert services.plan_for_organization(organization=standard, at=AT).code == "standard"
    premium_plan = services.plan_for_organization(organization=premium, at=AT)
    assert premium_plan.code == "premium"
    calendar = services.calendar_for_organization(organization=premium, plan=premium_plan, at=AT)
    assert calendar == BusinessCalendar.always_open()


# --- trials, judged on the organization's local date ---------------------------------------------


def trial(time_zone: str, ends_on: date):
    return OrganizationFactory(tier=Tier.TRIAL, time_zone=time_zone, trial_ends_on=ends_on)


def test_trial_before_its_end_date_gets_premium():
    organization = trial("UTC", date(2026, 6, 30))
    at = datetime(2026, 6, 29, 12, tzinfo=UTC)
    assert services.plan_for_organization(organization=organization, at=at).code == "premium"
    assert services.in_trial(organization=organization, at=at)


def test_trial_on_its_end_date_still_gets_premium_until_local_midnight():
    organization = trial("UTC", date(2026, 6, 30))
    at = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
    assert services.plan_for_organization(organization=organization, at=at).code == "premium"


def test_trial_after_its_end_date_gets_community():
    organization = trial("UTC", date(2026, 6, 30))
    at = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert services.plan_for_organization(organization=organization, at=at).code == "community"
    terms = services.sla_terms_for(organization=organization, at=at)
    assert terms["plan_code"] == "community"
    assert terms["in_trial"] is False
    assert (
        services.deadline_for(
            organization=organization, priority="P1", metric=FIRST_RESPONSE, created_at=at
        )
        is None
    )


def test_trial_end_is_the_organizations_local_date_not_utc():
    # 2026-06-30 12:30 UTC is already 2026-07-01 00:30 in Auckland (UTC+12 in winter).
    at = datetime(2026, 6, 30, 12, 30, tzinfo=UTC)
    auckland = trial("Pacific/Auckland", date(2026, 6, 30))
    in_utc = trial("UTC", date(2026, 6, 30))
    assert services.plan_for_organization(organization=auckland, at=at).code == "community"
    assert services.plan_for_organization(organization=in_utc, at=at).code == "premium"
    # An hour earlier it is 23:30 on the last day in Auckland: still in evaluation.
    earlier = at - timedelta(hours=1)
    assert services.plan_for_organization(organization=auckland, at=earlier).code == "premium"


def test_trial_snapshot_says_it_is_in_trial():
    organization = trial("America/Sao_Paulo", date(2026, 6, 30))
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert terms["in_trial"] is True
    assert terms["tier"] == "trial"
    assert terms["plan_code"] == "premium"


def test_a_tier_with_no_policy_is_a_configuration_error():
    organization = OrganizationFactory(tier=Tier.STANDARD)
    TierPolicy.objects.filter(tier=Tier.STANDARD).delete()
    with pytest.raises(services.NoPlanForTier):
        services.plan_for_organization(organization=organization, at=AT)


def test_naive_datetimes_are_refused():
    organization = OrganizationFactory()
    with pytest.raises(ValueError, match="aware"):
        services.plan_for_organization(organization=organization, at=datetime(2026, 3, 4, 12))


# --- deadlines -----------------------------------------------------------------------------------


def test_standard_p2_filed_friday_1630_is_due_monday_1030_local():
    due = services.deadline_for(
        organization=standard_org(country="BR"),
        priority="P2",
        metric=FIRST_RESPONSE,
        created_at=FRIDAY_1630,
    )
    assert due == sao_paulo(2026, 3, 9, 10, 30)


def test_standard_p1_filed_outside_hours_starts_at_the_next_opening():
    due = services.deadline_for(
        organization=standard_org(country="BR"),
        priority="P1",
        metric=FIRST_RESPONSE,
        created_at=sao_paulo(2026, 3, 7, 11, 0),  # Saturday
    )
    assert due == sao_paulo(2026, 3, 9, 9, 0)


def test_premium_p1_is_due_fifteen_minutes_later_whatever_the_day():
    organization = OrganizationFactory(tier=Tier.PREMIUM, time_zone="America/Sao_Paulo")
    saturday_night = sao_paulo(2026, 3, 7, 23, 50)
    due = services.deadline_for(
        organization=organization, priority="P1", metric=FIRST_RESPONSE, created_at=saturday_night
    )
    assert due == saturday_night + timedelta(minutes=15)


def test_premium_p1_filed_friday_1630_is_due_1645():
    organization = OrganizationFactory(tier=Tier.PREMIUM, time_zone="America/Sao_Paulo")
    due = services.deadline_for(
        organization=organization, priority="P1", metric=FIRST_RESPONSE, created_at=FRIDAY_1630
    )
    assert due == sao_paulo(2026, 3, 6, 16, 45)


def test_community_tickets_have_no_deadline():
    organization = OrganizationFactory(tier=Tier.COMMUNITY)
    assert (
        services.deadline_for(
            organization=organization, priority="P1", metric=FIRST_RESPONSE, created_at=AT
        )
        is None
    )


def test_business_hours_are_in_the_customer_time_zone():
    # The same instant, Friday 19:30 UTC: 16:30 in São Paulo (open), 21:30 in Lisbon (closed).
    at = datetime(2026, 3, 6, 19, 30, tzinfo=UTC)
    sao_paulo_org = standard_org(country="")
    lisbon_org = standard_org(time_zone="Europe/Lisbon", country="")
    due_sp = services.deadline_for(
        organization=sao_paulo_org, priority="P1", metric=FIRST_RESPONSE, created_at=at
    )
    due_lisbon = services.deadline_for(
        organization=lisbon_org, priority="P1", metric=FIRST_RESPONSE, created_at=at
    )
    assert due_sp == sao_paulo(2026, 3, 9, 8, 30)
    assert due_lisbon == local("Europe/Lisbon", 2026, 3, 9, 9, 0)


# --- holidays ------------------------------------------------------------------------------------

# Friday 2026-09-04, before Brazil's Independence Day on Monday 2026-09-07.
BEFORE_INDEPENDENCE_DAY = sao_paulo(2026, 9, 4, 16, 30)


def test_brazilian_public_holiday_moves_a_standard_p1_to_tuesday():
    due = services.deadline_for(
        organization=standard_org(country="BR"),
        priority="P1",
        metric=FIRST_RESPONSE,
        created_at=BEFORE_INDEPENDENCE_DAY,
    )
    assert due == sao_paulo(2026, 9, 8, 8, 30)


def test_the_same_friday_without_that_holiday_is_due_monday():
    # Germany has no holiday on 2026-09-07 (German Unity Day, 3 October, is a Saturday).
    due = services.deadline_for(
        organization=standard_org(country="DE"),
        priority="P1",
        metric=FIRST_RESPONSE,
        created_at=BEFORE_INDEPENDENCE_DAY,
    )
    assert due == sao_paulo(2026, 9, 7, 8, 30)


def test_a_public_holiday_on_a_saturday_changes_nothing():
    berlin = standard_org(time_zone="Europe/Berlin", country="DE")
    friday = local("Europe/Berlin", 2026, 10, 2, 16, 30)  # German Unity Day is Sat 3 Oct
    due = services.deadline_for(
        organization=berlin, priority="P1", metric=FIRST_RESPONSE, created_at=friday
    )
    assert due == local("Europe/Berlin", 2026, 10, 5, 8, 30)


def test_an_unknown_country_has_no_public_holidays_and_no_crash():
    due = services.deadline_for(
        organization=standard_org(country="XX"),
        priority="P1",
        metric=FIRST_RESPONSE,
        created_at=BEFORE_INDEPENDENCE_DAY,
    )
    assert due == sao_paulo(2026, 9, 7, 8, 30)
    assert selectors.public_holidays(country="XX", years=[2026]) == {}


def test_a_calendar_can_ignore_public_holidays():
    Calendar.objects.filter(name="Business hours").update(use_public_holidays=False)
    due = services.deadline_for(
        organization=standard_org(country="BR"),
        priority="P1",
        metric=FIRST_RESPONSE,
        created_at=BEFORE_INDEPENDENCE_DAY,
    )
    assert due == sao_paulo(2026, 9, 7, 8, 30)


def test_a_managers_own_holiday_closes_the_calendar():
    business_hours = Calendar.objects.get(name="Business hours")
    services.holiday_add(calendar=business_hours, date=date(2026, 3, 9), name="Company retreat")
    due = services.deadline_for(
        organization=standard_org(country="BR"),
        priority="P2",
        metric=FIRST_RESPONSE,
        created_at=FRIDAY_1630,
    )
    assert due == sao_paulo(2026, 3, 10, 10, 30)


def test_a_managers_own_holiday_applies_even_without_a_country():
    business_hours = Calendar.objects.get(name="Business hours")
    HolidayFactory(calendar=business_hours, date=date(2026, 3, 9), name="Company retreat")
    terms = services.sla_terms_for(organization=standard_org(country=""), at=FRIDAY_1630)
    assert terms["calendar"]["holidays"] == ["2026-03-09"]
    assert terms["calendar"]["holiday_names"] == {"2026-03-09": "Company retreat"}


def test_holidays_are_local_dates_in_the_customer_zone():
    # Monday 2026-09-07 00:30 in São Paulo is 03:30 UTC; a P1 filed then waits for Tuesday.
    organization = standard_org(country="BR")
    calendar = services.calendar_for_organization(
        organization=organization,
        plan=SupportPlan.objects.get(code="standard"),
        at=BEFORE_INDEPENDENCE_DAY,
    )
    assert calendar is not None
    assert date(2026, 9, 7) in calendar.holidays
    assert not calendar.is_open(sao_paulo(2026, 9, 7, 10, 0))
    assert calendar.is_open(sao_paulo(2026, 9, 8, 10, 0))
    assert calendar.timezone == "America/Sao_Paulo"


def test_calendar_for_organization_covers_the_year_before_to_two_years_after():
    organization = standard_org(country="BR")
    calendar = services.calendar_for_organization(
        organization=organization, plan=SupportPlan.objects.get(code="standard"), at=AT
    )
    assert calendar is not None
    assert date(2025, 12, 25) in calendar.holidays
    assert date(2028, 12, 25) in calendar.holidays
    assert date(2029, 1, 1) not in calendar.holidays


def test_a_plan_without_a_calendar_has_no_business_calendar():
    organization = OrganizationFactory(tier=Tier.COMMUNITY)
    plan = SupportPlan.objects.get(code="community")
    assert services.calendar_for_organization(organization=organization, plan=plan, at=AT) is None


# --- the snapshot --------------------------------------------------------------------------------


def test_snapshot_is_json_and_describes_plan_calendar_and_targets():
    organization = standard_org(country="BR")
    terms = services.sla_terms_for(organization=organization, at=BEFORE_INDEPENDENCE_DAY)
    assert json.loads(json.dumps(terms)) == terms
    plan = SupportPlan.objects.get(code="standard")
    assert terms["plan_id"] == plan.pk
    assert terms["plan_code"] == "standard"
    assert terms["plan_name"] == "Standard"
    assert terms["tier"] == "standard"
    assert terms["in_trial"] is False
    calendar = terms["calendar"]
    assert calendar["name"] == "Business hours"
    assert calendar["time_zone"] == "America/Sao_Paulo"
    assert calendar["is_24x7"] is False
    assert calendar["weekly_hours"] == {str(day): [["08:00", "17:00"]] for day in range(5)}
    assert "2026-09-07" in calendar["holidays"]
    assert calendar["holiday_names"]["2026-09-07"] == "Independence Day"
    assert terms["targets"]["P1"] == {"first_response": {"seconds": 3600, "warning_percent": 25}}
    assert terms["targets"]["P4"]["first_response"]["seconds"] == 24 * 3600


def test_snapshot_holidays_run_from_the_day_before_to_about_two_years_ahead():
    organization = standard_org(country="BR")
    terms = services.sla_terms_for(organization=organization, at=sao_paulo(2026, 4, 22, 9, 0))
    holidays = terms["calendar"]["holidays"]
    assert holidays == sorted(holidays)
    assert "2026-04-21" in holidays  # Tiradentes, the day before
    assert "2026-04-03" not in holidays  # Good Friday, weeks before
    assert "2028-04-21" in holidays
    assert all(day <= "2028-04-23" for day in holidays)


def test_snapshot_of_a_24x7_plan():
    organization = OrganizationFactory(tier=Tier.PREMIUM, time_zone="Asia/Tokyo", country="JP")
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert terms["calendar"]["is_24x7"] is True
    assert terms["calendar"]["holidays"] == []
    assert services.calendar_from_terms(terms) == BusinessCalendar.always_open()


def test_calendar_from_terms_rebuilds_the_same_calendar():
    organization = standard_org(country="BR")
    terms = services.sla_terms_for(organization=organization, at=AT)
    calendar = services.calendar_from_terms(terms)
    assert calendar is not None
    assert calendar.timezone == "America/Sao_Paulo"
    assert dict(calendar.weekly_hours) == dict.fromkeys(range(5), (("08:00", "17:00"),))
    assert date(2026, 9, 7) in calendar.holidays


def test_calendar_from_terms_without_calendar_is_none():
    assert services.calendar_from_terms({"calendar": None, "targets": {}}) is None


def test_an_edited_target_changes_new_snapshots_only():
    organization = standard_org(country="BR")
    old_terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)
    services.target_update(
        plan=SupportPlan.objects.get(code="standard"),
        priority="P2",
        metric=FIRST_RESPONSE,
        duration=timedelta(hours=2),
    )
    old_due = services.deadline_from_terms(
        old_terms, priority="P2", metric=FIRST_RESPONSE, start=FRIDAY_1630
    )
    new_due = services.deadline_for(
        organization=organization, priority="P2", metric=FIRST_RESPONSE, created_at=FRIDAY_1630
    )
    assert old_due == sao_paulo(2026, 3, 9, 10, 30)
    assert new_due == sao_paulo(2026, 3, 9, 9, 30)


def test_a_tier_change_affects_new_snapshots_only():
    organization = standard_org(country="BR")
    old_terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)
    organization.tier = Tier.PREMIUM
    organization.save()
    new_terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)
    assert old_terms["plan_code"] == "standard"
    assert new_terms["plan_code"] == "premium"
    assert services.deadline_from_terms(
        old_terms, priority="P1", metric=FIRST_RESPONSE, start=FRIDAY_1630
    ) == sao_paulo(2026, 3, 9, 8, 30)


def test_a_reclassification_recomputes_on_the_snapshot_calendar():
    organization = standard_org(country="BR")
    terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)
    Calendar.objects.filter(name="Business hours").update(is_24x7=True)  # a later edit
    due_p4 = services.deadline_from_terms(
        terms, priority="P4", metric=FIRST_RESPONSE, start=FRIDAY_1630
    )
    # 24 business hours: 0.5 Fri + 9 Mon + 9 Tue + 5.5 Wed.
    assert due_p4 == sao_paulo(2026, 3, 11, 13, 30)


def test_first_response_targets_text():
    organization = OrganizationFactory(tier=Tier.STANDARD)
    terms = services.sla_terms_for(organization=organization, at=AT)
    assert explain.first_response_targets_text(terms) == {
        "P1": "1h",
        "P2": "3h",
        "P3": "8h",
        "P4": "24h",
    }


# --- edits, and edits refused --------------------------------------------------------------------


def standard_plan() -> SupportPlan:
    return SupportPlan.objects.get(code="standard")


def test_target_update_sets_and_removes_a_resolution_target():
    plan = standard_plan()
    target = services.target_update(
        plan=plan,
        priority="P1",
        metric=Metric.RESOLUTION,
        duration=timedelta(hours=8),
        warning_percent=10,
    )
    assert target is not None and target.pk
    assert (
        services.target_update(plan=plan, priority="P1", metric=Metric.RESOLUTION, duration=None)
        is None
    )
    assert not Target.objects.filter(plan=plan, metric=Metric.RESOLUTION).exists()


@pytest.mark.parametrize("duration", [timedelta(0), timedelta(minutes=-5)])
def test_a_zero_or_negative_target_is_refused(duration):
    with pytest.raises(ValidationError) as error:
        services.target_update(
            plan=standard_plan(), priority="P1", metric=FIRST_RESPONSE, duration=duration
        )
    assert error.value.message_dict["duration"] == ["A target must be longer than zero."]
    assert Target.objects.get(plan__code="standard", priority="P1").duration == timedelta(hours=1)


@pytest.mark.parametrize("percent", [0, 100, 150])
def test_a_warning_threshold_outside_1_to_99_percent_is_refused(percent):
    with pytest.raises(ValidationError) as error:
        services.target_update(
            plan=standard_plan(),
            priority="P1",
            metric=FIRST_RESPONSE,
            duration=timedelta(hours=2),
            warning_percent=percent,
        )
    assert error.value.message_dict["warning_percent"] == [
        "The warning threshold must be from 1 to 99 percent of the target."
    ]
    target = Target.objects.get(plan__code="standard", priority="P1")
    assert (target.duration, target.warning_percent) == (timedelta(hours=1), 25)


def test_a_target_on_a_plan_without_calendar_is_refused():
    with pytest.raises(ValidationError):
        services.target_update(
            plan=SupportPlan.objects.get(code="community"),
            priority="P1",
            metric=FIRST_RESPONSE,
            duration=timedelta(hours=1),
        )
    assert not Target.objects.filter(plan__code="community").exists()


def test_plan_update_is_all_or_nothing():
    plan = standard_plan()
    with pytest.raises(ValidationError) as error:
        services.plan_update(
            plan=plan,
            calendar=plan.calendar,
            description="changed",
            targets={
                ("P1", FIRST_RESPONSE): (timedelta(minutes=30), 25),
                ("P2", FIRST_RESPONSE): (timedelta(0), 25),
            },
        )
    assert "P2.first_response.duration" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.description != "changed"
    assert Target.objects.get(plan=plan, priority="P1").duration == timedelta(hours=1)


def test_plan_update_refuses_targets_without_calendar():
    plan = standard_plan()
    with pytest.raises(ValidationError) as error:
        services.plan_update(plan=plan, calendar=None, description="", targets={})
    assert "calendar" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.calendar is not None


def test_plan_update_can_make_a_plan_best_effort():
    plan = SupportPlanFactory()
    TargetFactory(plan=plan)
    services.plan_update(
        plan=plan,
        calendar=None,
        description="best effort",
        targets={("P1", FIRST_RESPONSE): (None, 25)},
    )
    plan.refresh_from_db()
    assert plan.calendar is None
    assert not plan.targets.exists()


def business_hours() -> Calendar:
    return Calendar.objects.get(name="Business hours")


def saved_hours(calendar: Calendar) -> list[tuple[int, int, int]]:
    return list(
        CalendarInterval.objects.filter(calendar=calendar)
        .order_by("weekday", "start_minute")
        .values_list("weekday", "start_minute", "end_minute")
    )


def test_calendar_set_weekly_hours_replaces_the_schedule():
    calendar = business_hours()
    services.calendar_set_weekly_hours(
        calendar=calendar, weekly_hours={0: [(540, 720), (780, 1080)], 5: [(600, 1440)]}
    )
    assert saved_hours(calendar) == [(0, 540, 720), (0, 780, 1080), (5, 600, 1440)]


def test_overlapping_intervals_are_refused():
    calendar = business_hours()
    before = saved_hours(calendar)
    with pytest.raises(ValidationError) as error:
        services.calendar_set_weekly_hours(
            calendar=calendar, weekly_hours={0: [(480, 720), (660, 1020)]}
        )
    assert error.value.message_dict["weekday_0"] == ["Monday: 08:00–12:00 overlaps 11:00–17:00."]
    assert saved_hours(calendar) == before


def test_inverted_intervals_are_refused():
    with pytest.raises(ValidationError) as error:
        services.calendar_set_weekly_hours(
            calendar=business_hours(), weekly_hours={2: [(1020, 480)]}
        )
    assert "weekday_2" in error.value.message_dict


def test_a_business_hours_calendar_without_open_time_is_refused():
    calendar = business_hours()
    before = saved_hours(calendar)
    with pytest.raises(ValidationError) as error:
        services.calendar_set_weekly_hours(calendar=calendar, weekly_hours={0: [], 1: []})
    assert "weekly_hours" in error.value.message_dict
    assert saved_hours(calendar) == before


def test_a_24x7_calendar_needs_no_weekly_hours():
    calendar = CalendarFactory(hours={})
    services.calendar_update(
        calendar=calendar,
        is_24x7=True,
        use_public_holidays=False,
        description="",
        weekly_hours={},
    )
    calendar.refresh_from_db()
    assert calendar.is_24x7


def test_turning_off_24x7_without_hours_is_refused():
    calendar = Calendar.objects.get(name="24x7")
    with pytest.raises(ValidationError) as error:
        services.calendar_update(
            calendar=calendar,
            is_24x7=False,
            use_public_holidays=True,
            description="",
            weekly_hours={},
        )
    assert "weekly_hours" in error.value.message_dict
    calendar.refresh_from_db()
    assert calendar.is_24x7


def test_a_second_holiday_on_the_same_date_is_refused():
    calendar = business_hours()
    services.holiday_add(calendar=calendar, date=date(2026, 12, 24), name="Christmas Eve")
    with pytest.raises(ValidationError) as error:
        services.holiday_add(calendar=calendar, date=date(2026, 12, 24), name="Again")
    assert "date" in error.value.message_dict
    assert Holiday.objects.filter(calendar=calendar).count() == 1


def test_holiday_remove():
    holiday = HolidayFactory(calendar=business_hours())
    services.holiday_remove(holiday=holiday)
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
