"""Browser: an engineer merges a duplicate into the original; the customer follows the
link from the duplicate to where the conversation continues."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Tier
from tests.e2e.test_queue import log_in
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_merges_a_duplicate_and_the_customer_follows_the_link(page, browser, live_server):
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM)
    grace = CustomerFactory(organization=org, email="grace@globex.example")
    EngineerFactory(email="eduardo@helpdesk.example")
    original = make_ticket(grace, subject="VPN down")
    duplicate = make_ticket(grace, subject="VPN still down", description="Since 9am.")

    log_in(page, "eduardo@helpdesk.example")
    page.goto(f"/tickets/{duplicate.pk}/")
    page.get_by_label("Merge this duplicate into ticket").fill(f"#{original.pk}")
    page.get_by_role("button", name="Merge").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{original.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(
        f"{duplicate.reference} was merged into {original.reference}."
    )
    expect(page.locator(".comment").last).to_contain_text("Since 9am.")

    customer = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    log_in(customer, "grace@globex.example")
    customer.goto(f"/tickets/{duplicate.pk}/")
    expect(customer.locator(".meta .status")).to_have_text("Closed")
    expect(customer.locator(".sla-box")).to_contain_text("merged into")
    customer.locator(".merged-notice a").click()
    expect(customer.get_by_role("heading", level=1)).to_contain_text("VPN down")
