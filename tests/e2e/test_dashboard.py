"""Browser: a manager reads the dashboard, changes the period, drills into breached P1."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier
from tests.factories import PASSWORD, CustomerFactory, ManagerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_manager_opens_dashboard_changes_period_and_drills_into_breached_p1(page):
    globex = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    grace = CustomerFactory(organization=globex)
    now = timezone.now()
    make_ticket(
        grace, subject="Backups down since last night", impact="high", urgency="high",
        at=now - datetime.timedelta(hours=2),
    )  # fmt: skip
    make_ticket(
        grace, subject="Slow restores", impact="medium", urgency="high",
        at=now - datetime.timedelta(hours=3),
    )  # fmt: skip
    make_ticket(grace, subject="Fresh P1", impact="high", urgency="high", at=now)
    ManagerFactory(email="marta@helpdesk.example")

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("marta@helpdesk.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="SLA dashboard")).to_be_visible()
    expect(page.locator("#table-attainment_tier")).to_contain_text("Premium")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.locator("#id_period").select_option("7")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r".*period=7.*"))
    expect(page.locator("#id_period")).to_have_value("7")

    page.get_by_title("Breached Premium P1").click()
    page.wait_for_url(re.compile(r".*/queue/\?.*"))
    assert "sla=breached" in page.url and "priority=P1" in page.url
    body = page.locator("main")
    expect(body).to_contain_text("Backups down since last night")
    expect(body).not_to_contain_text("Slow restores")
    expect(body).not_to_contain_text("Fresh P1")
