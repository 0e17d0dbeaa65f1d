"""The new-ticket form's priority panel: the badge shows the priority the ticket will get
(the override when one is chosen), the target, the due instant a ticket filed now gets and,
outside business hours, when the clock starts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

URL = "/tickets/new/preview/"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FRIDAY_1630 = datetime(2026, 3, 6, 16, 30, tzinfo=SAO_PAULO)
SATURDAY_1000 = datetime(2026, 3, 7, 10, 0, tzinfo=SAO_PAULO)


@pytest.fixture
def ana(client):
    organization = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo")
    user = CustomerFactory(organization=organization, time_zone="America/New_York")
    client.force_login(user)
    return user


def get(client, at: datetime = FRIDAY_1630, **params: str):
    with time_machine.travel(at, tick=False):
        return client.get(URL, params)


def test_the_derived_priority_its_target_and_due_instant_in_the_calendars_zone(client, ana):
    response = get(client, impact="medium", urgency="high")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["preview"].priority == "P2"
    assert 'class="priority priority-P2"' in html
    assert "overridden from" not in html
    assert "3h of business hours" in html
    assert "Mon 9 Mar 2026, 10:30 (São Paulo time)" in html
    assert "We are closed now" not in html


def test_the_badge_shows_the_override_and_what_it_overrides(client, ana):
    response = get(client, impact="medium", urgency="high", override="on", priority_override="P1")

    html = response.content.decode()
    assert response.context["preview"].priority == "P1"
    assert 'class="priority priority-P1"' in html
    assert "overridden from P2" in html
    assert "1h of business hours" in html
    # 30 min on Friday, 30 min on Monday.
    assert "Mon 9 Mar 2026, 08:30 (São Paulo time)" in html


def test_an_override_left_unticked_changes_nothing(client, ana):
    response = get(client, impact="medium", urgency="high", priority_override="P1")

    assert response.context["preview"].priority == "P2"
    assert "overridden from" not in response.content.decode()


def test_an_override_equal_to_the_derived_priority_is_no_override(client, ana):
    response = get(client, impact="medium", urgency="high", override="on", priority_override="P2")

    assert response.context["preview"].priority == "P2"
    assert "overridden from" not in response.content.decode()


def test_outside_business_hours_the_panel_says_when_the_clock_starts(client, ana):
    response = get(client, SATURDAY_1000, impact="medium", urgency="high")

    html = response.content.decode()
    assert ("We are closed now; the clock starts Mon 9 Mar 2026, 08:00 (São Paulo time)") in html
    assert "Mon 9 Mar 2026, 11:00 (São Paulo time)" in html


def test_nothing_chosen_yet_asks_for_impact_and_urgency(client, ana):
    response = get(client, impact="medium")

    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "Choose impact and urgency." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"impact": "enormous", "urgency": "high"},
        {"impact": "high", "urgency": "soon"},
        {"impact": "high", "urgency": "high", "override": "on", "priority_override": "P9"},
    ],
)
def test_invalid_input_is_a_400_with_a_message_never_a_500(client, ana, params):
    response = get(client, **params)

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_preview_is_in_brazilian_portuguese_for_a_portuguese_speaker(client):
    organization = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo")
    client.force_login(CustomerFactory(organization=organization, language="pt-br"))

    html = get(client, SATURDAY_1000, impact="high", urgency="high").content.decode()

    assert "Estamos fechados agora" in html
    assert "a primeira resposta vence até" in html


def test_staff_get_404(client):
    client.force_login(EngineerFactory())

    assert get(client, impact="high", urgency="high").status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    response = get(client, impact="high", urgency="high")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_new_ticket_page_loads_the_preview_into_its_panel(client, ana):
    with time_machine.travel(FRIDAY_1630, tick=False):
        html = client.get("/tickets/new/").content.decode()

    assert f'hx-get="{URL}"' in html
    assert 'id="priority-badge"' in html
    assert "Choose impact and urgency." in html


def test_a_refused_form_keeps_the_preview_of_what_was_chosen(client, ana):
    with time_machine.travel(FRIDAY_1630, tick=False):
        response = client.post(
            "/tickets/new/",
            {"impact": "medium", "urgency": "high", "override": "on", "priority_override": "P1"},
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "overridden from P2" in html
    assert "Mon 9 Mar 2026, 08:30 (São Paulo time)" in html
