"""What a customer is promised before filing: the priority's target, the due instant a real
ticket filed now would get (in the calendar's zone, named when it is not the viewer's) and,
outside business hours, when the clock starts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Tier
from sla import explain, services
from sla.models import Metric
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def sao_paulo(*args: int) -> datetime:
    return datetime(*args, tzinfo=SAO_PAULO)  # type: ignore[misc]


# A Friday and the weekend after it, with no Brazilian holiday nearby.
FRIDAY_1630 = sao_paulo(2026, 3, 6, 16, 30)
SATURDAY_1000 = sao_paulo(2026, 3, 7, 10, 0)
MONDAY_0800 = sao_paulo(2026, 3, 9, 8, 0)
MONDAY_1030 = sao_paulo(2026, 3, 9, 10, 30)


def preview(*, tier: str, priority: str, at: datetime, viewer_zone: str = "America/New_York"):
    organization = OrganizationFactory(tier=tier, time_zone="America/Sao_Paulo", country="BR")
    with time_machine.travel(at, tick=False), timezone.override(viewer_zone):
        now = timezone.now()
        terms = services.sla_terms_for(organization=organization, at=now)
        return explain.first_response_preview(terms=terms, priority=priority, now=now)


def test_standard_p2_filed_friday_afternoon_is_due_monday_morning_in_sao_paulo_time():
    result = preview(tier=Tier.STANDARD, priority="P2", at=FRIDAY_1630)

    assert result.due_at == MONDAY_1030
    assert result.target_text == "3h"
    assert "3h of business hours" in result.promise
    assert result.due_sentence == (
        "Filed now, a first response is due by Mon 9 Mar 2026, 10:30 (São Paulo time)."
    )
    assert not result.closed_now
    assert result.closed_sentence == ""


def test_the_due_instant_is_the_one_a_real_ticket_filed_now_gets():
    organization = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo")
    terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)

    result = explain.first_response_preview(terms=terms, priority="P4", now=FRIDAY_1630)

    assert result.due_at == services.deadline_for(
        organization=organization,
        priority="P4",
        metric=Metric.FIRST_RESPONSE,
        created_at=FRIDAY_1630,
    )


def test_the_zone_is_not_named_when_the_viewer_is_in_it():
    result = preview(
        tier=Tier.STANDARD, priority="P2", at=FRIDAY_1630, viewer_zone="America/Sao_Paulo"
    )

    assert result.due_sentence == ("Filed now, a first response is due by Mon 9 Mar 2026, 10:30.")


def test_standard_filed_on_saturday_says_closed_and_when_the_clock_starts():
    result = preview(tier=Tier.STANDARD, priority="P2", at=SATURDAY_1000)

    assert result.closed_now
    assert result.clock_starts_at == MONDAY_0800
    assert result.closed_sentence == (
        "We are closed now; the clock starts Mon 9 Mar 2026, 08:00 (São Paulo time)."
    )
    assert result.due_at == sao_paulo(2026, 3, 9, 11, 0)


def test_standard_filed_friday_evening_starts_the_clock_monday_at_opening():
    result = preview(tier=Tier.STANDARD, priority="P1", at=sao_paulo(2026, 3, 6, 17, 0))

    assert result.closed_now
    assert result.clock_starts_at == MONDAY_0800
    assert result.due_at == sao_paulo(2026, 3, 9, 9, 0)


def test_premium_24x7_is_never_closed():
    result = preview(tier=Tier.PREMIUM, priority="P2", at=SATURDAY_1000)

    assert not result.closed_now
    assert result.clock_starts_at is None
    assert result.closed_sentence == ""
    assert result.due_at == sao_paulo(2026, 3, 7, 11, 0)
    assert "around the clock" in result.promise
    assert "Sat 7 Mar 2026, 11:00 (São Paulo time)" in result.due_sentence


def test_community_is_best_effort_with_no_due_instant():
    result = preview(tier=Tier.COMMUNITY, priority="P1", at=SATURDAY_1000)

    assert result.is_best_effort
    assert result.due_at is None
    assert result.due_sentence == ""
    assert not result.closed_now
    assert result.promise == "Best effort: Community support has no response-time target."


def test_an_unknown_priority_is_refused():
    organization = OrganizationFactory(tier=Tier.STANDARD)
    terms = services.sla_terms_for(organization=organization, at=FRIDAY_1630)

    with pytest.raises(ValueError, match="P9"):
        explain.first_response_preview(terms=terms, priority="P9", now=FRIDAY_1630)


def test_a_public_holiday_keeps_the_calendar_closed_until_the_next_working_day():
    # Good Friday (3 April 2026) is a national holiday in Brazil.
    result = preview(tier=Tier.STANDARD, priority="P1", at=sao_paulo(2026, 4, 2, 17, 30))

    assert result.closed_now
    assert result.clock_starts_at == sao_paulo(2026, 4, 6, 8, 0)
    assert result.due_at == sao_paulo(2026, 4, 6, 9, 0)
