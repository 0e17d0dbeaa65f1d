"""Trials: account managers hear once that a trial ends soon; after it, tickets get Community."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from accounts.models import Tier
from notifications.models import Notification
from sla.models import SLAClock, TrialReminder
from sla.trials import trials_remind
from tests.factories import OrganizationFactory
from tests.sla.monitor_helpers import Staff, customer_of, run_at, utc
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db

MORNING = utc(2026, 3, 10, 7, 0)
TODAY = MORNING.date()


@pytest.fixture
def staff() -> Staff:
    return Staff()


def trial(staff: Staff, ends_in_days: int, **kwargs: object):
    kwargs.setdefault("account_manager", staff.adam)
    return OrganizationFactory(
        tier=Tier.TRIAL,
        trial_ends_on=TODAY + datetime.timedelta(days=ends_in_days),
        time_zone="UTC",
        **kwargs,
    )


def test_a_trial_ending_within_seven_days_is_reported_to_its_account_manager_once(
    staff, django_capture_on_commit_callbacks
):
    organization = trial(staff, 5, name="Initech")
    with django_capture_on_commit_callbacks(execute=True):
        assert trials_remind(MORNING) == 1
        assert trials_remind(MORNING + datetime.timedelta(days=1)) == 0  # the next day
    notification = Notification.objects.get(kind="trial_ending")
    assert notification.recipient == staff.adam
    assert "Initech" in notification.text
    assert [m.to for m in mail.outbox] == [[staff.adam.email]]
    assert TrialReminder.objects.get().organization == organization


@pytest.mark.parametrize("ends_in_days", [0, 7])
def test_the_window_is_today_to_seven_days_ahead(staff, ends_in_days):
    trial(staff, ends_in_days)
    assert trials_remind(MORNING) == 1


@pytest.mark.parametrize("ends_in_days", [-1, 8])
def test_trials_ended_or_far_off_are_not_reported(staff, ends_in_days):
    trial(staff, ends_in_days)
    assert trials_remind(MORNING) == 0


def test_other_tiers_are_not_reported(staff):
    OrganizationFactory(tier=Tier.PREMIUM, trial_ends_on=TODAY, account_manager=staff.adam)
    assert trials_remind(MORNING) == 0


def test_an_extended_trial_is_reported_again(staff):
    organization = trial(staff, 3)
    assert trials_remind(MORNING) == 1
    organization.trial_ends_on = TODAY + datetime.timedelta(days=6)
    organization.save()
    assert trials_remind(MORNING) == 1
    assert Notification.objects.filter(kind="trial_ending").count() == 2


def test_a_trial_without_account_manager_is_reported_to_the_managers(staff):
    trial(staff, 2, account_manager=None)
    trials_remind(MORNING)
    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
        staff.mia.email
    ]


def test_after_the_trial_new_tickets_get_community_and_earlier_clocks_stay(staff):
    customer = customer_of(Tier.TRIAL, staff, trial_ends_on=datetime.date(2026, 3, 10))
    during = make_ticket(customer, at=utc(2026, 3, 10, 23, 0), impact="high", urgency="high")
    after = make_ticket(customer, at=utc(2026, 3, 11, 0, 30), impact="high", urgency="high")
    assert during.sla_terms["plan_code"] == "premium" and during.sla_terms["in_trial"]
    assert after.sla_terms["plan_code"] == "community"
    assert not SLAClock.objects.filter(ticket=after).exists()

    result = run_at(utc(2026, 3, 11, 1, 0))
    assert result.breached == 1
    assert SLAClock.objects.get(ticket=during).breached_at == utc(2026, 3, 10, 23, 15)
    # The earlier ticket keeps its Premium terms: the account manager is told.
    told = set(Notification.objects.filter(ticket=during).values_list("recipient", flat=True))
    assert staff.adam.pk in told
    assert not Notification.objects.filter(ticket=after).exists()
    assert run_at(utc(2026, 3, 12)).breached == 0
