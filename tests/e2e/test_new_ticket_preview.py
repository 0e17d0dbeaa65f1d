"""Browser: before filing, the customer sees the priority the ticket will get (the override
when one is chosen) and when a first response is due."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Tier
from tests.factories import PASSWORD, CustomerFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_big_badge_follows_the_override_and_the_due_instant_shows(page):
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    CustomerFactory(email="ana@acme.example", organization=org, time_zone="America/New_York")
    friday = datetime.datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))
    with time_machine.travel(friday, tick=True):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill("ana@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r".*/$"))
        page.goto("/tickets/new/")
        badge = page.locator("#priority-badge")
        expect(badge).to_have_text("Choose impact and urgency.")

        page.get_by_role("group", name="Impact").get_by_label("Medium").check()
        page.get_by_role("group", name="Urgency").get_by_label("High").check()
        expect(badge.locator(".priority")).to_have_text("P2")
        expect(page.locator("#priority-due")).to_contain_text(
            "Mon 9 Mar 2026, 10:30 (São Paulo time)"
        )

        page.get_by_label("My business needs a different priority").check()
        page.locator("#id_priority_override").select_option("P1")
        expect(badge.locator(".priority")).to_have_text("P1")
        expect(badge).to_contain_text("overridden from P2")
        expect(page.locator("#priority-target")).to_contain_text("1h of business hours")
        expect(page.locator("#priority-due")).to_contain_text(
            "Mon 9 Mar 2026, 08:30 (São Paulo time)"
        )
        expect(page.locator("#priority-closed")).to_have_count(0)

        page.get_by_label("My business needs a different priority").uncheck()
        expect(badge.locator(".priority")).to_have_text("P2")
        expect(badge).not_to_contain_text("overridden")
