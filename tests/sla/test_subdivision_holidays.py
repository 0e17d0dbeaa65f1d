"""Holidays by state or province: an organization's subdivision adds its region's public
holidays to its calendar, its deadlines and its tickets' snapshots."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Tier
from sla import selectors, services
from sla.models import Metric
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db


def sydney(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Australia/Sydney"))  # type: ignore[misc]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))  # type: ignore[misc]


def sydney_org(subdivision: str = ""):
    return OrganizationFactory(
        tier=Tier.STANDARD, time_zone="Australia/Sydney", country="AU", subdivision=subdivision
    )


def berlin_org(subdivision: str = ""):
    return OrganizationFactory(
        tier=Tier.STANDARD, time_zone="Europe/Berlin", country="DE", subdivision=subdivision
    )


def is_open(organization, at: datetime) -> bool:
    plan = services.plan_for_organization(organization=organization, at=at)
    calendar = services.calendar_for_organization(organization=organization, plan=plan, at=at)
    assert calendar is not None
    return calendar.is_open(at)


def test_the_package_knows_these_regional_holidays():
    # The dates the tests below rely on, as the `holidays` package has them.
    nsw = selectors.public_holidays(country="AU", subdivision="NSW", years=[2026])
    assert nsw[sydney(2026, 10, 5).date()] == "Labor Day"
    assert nsw[sydney(2026, 4, 27).date()] == "ANZAC Day (observed)"
    national = selectors.public_holidays(country="AU", years=[2026])
    assert sydney(2026, 10, 5).date() not in national
    assert sydney(2026, 4, 27).date() not in national


def test_nsw_labour_day_is_closed_with_the_subdivision_and_open_with_the_country_only():
    monday_10 = sydney(2026, 10, 5, 10, 0)  # first Monday of October
    assert is_open(sydney_org(), monday_10)
    assert not is_open(sydney_org("NSW"), monday_10)


def test_nsw_anzac_day_observed_on_monday_is_closed_with_the_subdivision():
    monday_10 = sydney(2026, 4, 27, 10, 0)  # ANZAC Day fell on Saturday 25 April
    assert is_open(sydney_org(), monday_10)
    assert not is_open(sydney_org("NSW"), monday_10)


def test_berlin_womens_day_is_closed_in_berlin_only():
    monday_10 = berlin(2027, 3, 8, 10, 0)  # International Women's Day on a Monday
    assert is_open(berlin_org(), monday_10)
    assert not is_open(berlin_org("BE"), monday_10)
    assert is_open(berlin_org("BY"), monday_10)  # Bavaria works that day


def test_a_deadline_moves_past_the_regional_holiday():
    friday = sydney(2026, 10, 2, 16, 30)  # P2, 3 business hours: 30 min Friday, 2h30 next day
    country_only = services.deadline_for(
        organization=sydney_org(), priority="P2", metric=Metric.FIRST_RESPONSE, created_at=friday
    )
    nsw = services.deadline_for(
        organization=sydney_org("NSW"),
        priority="P2",
        metric=Metric.FIRST_RESPONSE,
        created_at=friday,
    )
    assert country_only == sydney(2026, 10, 5, 10, 30)
    assert nsw == sydney(2026, 10, 6, 10, 30)


def test_a_berlin_ticket_filed_before_womens_day_is_due_the_day_after():
    customer = CustomerFactory(organization=berlin_org("BE"))
    ticket = make_ticket(customer, at=berlin(2027, 3, 5, 16, 30))  # Friday, P2
    clock = ticket.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert clock.due_at == berlin(2027, 3, 9, 10, 30)


def test_the_snapshot_records_and_explains_the_subdivision():
    terms = services.sla_terms_for(organization=sydney_org("NSW"), at=sydney(2026, 10, 2, 9, 0))
    calendar = terms["calendar"]
    assert (calendar["country"], calendar["subdivision"]) == ("AU", "NSW")
    assert calendar["uses_public_holidays"]
    assert calendar["holiday_names"]["2026-10-05"] == "Labor Day"
    assert "2026-10-05" in calendar["holidays"]


def test_without_a_subdivision_the_snapshot_says_so():
    terms = services.sla_terms_for(organization=sydney_org(), at=sydney(2026, 10, 2, 9, 0))
    assert (terms["calendar"]["country"], terms["calendar"]["subdivision"]) == ("AU", "")
    assert "2026-10-05" not in terms["calendar"]["holidays"]


def test_the_ticket_page_explains_whose_public_holidays_the_calendar_keeps(client):
    customer = CustomerFactory(organization=sydney_org("NSW"))
    ticket = make_ticket(customer, at=sydney(2026, 10, 2, 16, 30))
    client.force_login(EngineerFactory())
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<dd class="holiday-region">Australia · NSW</dd>' in html
