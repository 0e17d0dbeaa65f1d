"""The plan in force today: one answer, from the plan and not the tier alone, for the
labels, the phone channel and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation
from sla import services
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Channel

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
TRIAL_ENDS = date(2026, 3, 31)


def sao_paulo(*args: int) -> datetime:
    return datetime(*args, tzinfo=SAO_PAULO)  # type: ignore[misc]


def trial_org(**kwargs: object):
    return OrganizationFactory(
        tier=Tier.TRIAL, trial_ends_on=TRIAL_ENDS, time_zone="America/Sao_Paulo", **kwargs
    )


def test_a_trial_in_evaluation_is_on_premium_with_the_phone_channel():
    plan = services.plan_in_force(organization=trial_org(), at=sao_paulo(2026, 3, 31, 23, 0))
    assert plan.plan.code == "premium"
    assert str(plan.label) == "Trial"
    assert (plan.in_trial, plan.trial_lapsed, plan.trial_ends_on) == (True, False, TRIAL_ENDS)
    assert plan.phone_offered
    assert not plan.account_manager_expected  # Premium targets, not the Premium programme


def test_a_trial_lapses_after_its_end_date_in_its_own_time_zone():
    organization = trial_org()
    # 1 April 02:00 UTC is still 31 March (23:00) in São Paulo: the trial runs.
    assert services.plan_in_force(
        organization=organization, at=datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    ).in_trial
    plan = services.plan_in_force(organization=organization, at=sao_paulo(2026, 4, 1, 0, 30))
    assert plan.plan.code == "community"
    assert str(plan.label) == "Community"
    assert (plan.in_trial, plan.trial_lapsed, plan.trial_ends_on) == (False, True, TRIAL_ENDS)
    assert not plan.phone_offered
    assert not plan.account_manager_expected


@pytest.mark.parametrize(
    ("tier", "code", "label", "phone", "account_manager"),
    [
        (Tier.COMMUNITY, "community", "Community", False, False),
        (Tier.STANDARD, "standard", "Standard", True, False),
        (Tier.PREMIUM, "premium", "Premium", True, True),
    ],
)
def test_other_tiers_get_their_policy_plan(tier, code, label, phone, account_manager):
    plan = services.plan_in_force(
        organization=OrganizationFactory(tier=tier), at=sao_paulo(2026, 4, 1, 10, 0)
    )
    assert (plan.plan.code, str(plan.label), plan.phone_offered) == (code, label, phone)
    assert plan.account_manager_expected is account_manager
    assert (plan.in_trial, plan.trial_lapsed, plan.trial_ends_on) == (False, False, None)


def test_plan_for_organization_and_the_snapshot_agree_with_the_plan_in_force():
    organization = trial_org()
    at = sao_paulo(2026, 4, 2, 10, 0)
    in_force = services.plan_in_force(organization=organization, at=at)
    assert services.plan_for_organization(organization=organization, at=at) == in_force.plan
    terms = services.sla_terms_for(organization=organization, at=at)
    assert (terms["plan_code"], terms["in_trial"]) == ("community", False)


def test_the_phone_channel_follows_the_plan_when_a_standard_plan_follows_the_trial():
    from sla.models import SupportPlan, TierPolicy

    TierPolicy.objects.filter(tier=Tier.TRIAL).update(
        lapsed_plan=SupportPlan.objects.get(code="standard")
    )
    plan = services.plan_in_force(organization=trial_org(), at=sao_paulo(2026, 4, 2, 10, 0))
    assert plan.plan.code == "standard" and plan.trial_lapsed
    assert plan.phone_offered


def test_phone_ticket_is_refused_for_a_lapsed_trial():
    customer = CustomerFactory(organization=trial_org())
    with pytest.raises(PolicyViolation, match="no phone channel") as error:
        make_ticket(
            customer,
            channel=Channel.PHONE,
            created_by=EngineerFactory(),
            at=sao_paulo(2026, 4, 2, 10, 0),
        )
    assert "trial ended on" in error.value.message


def test_phone_ticket_is_accepted_for_a_trial_in_evaluation():
    customer = CustomerFactory(organization=trial_org())
    ticket = make_ticket(
        customer, channel=Channel.PHONE, created_by=EngineerFactory(), at=sao_paulo(2026, 3, 30, 10)
    )
    assert ticket.channel == Channel.PHONE and ticket.plan.code == "premium"
