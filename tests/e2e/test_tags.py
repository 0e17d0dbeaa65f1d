"""Browser: an engineer tags a ticket (with autocomplete) and filters the queue by tag."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Tier
from tests.e2e.test_queue import log_in
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.tags import ticket_tags_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_tags_a_ticket_and_filters_the_queue_by_tag(page):
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM)
    grace = CustomerFactory(organization=org, email="grace@globex.example")
    eduardo = EngineerFactory(email="eduardo@helpdesk.example")
    tagged_before = make_ticket(grace, subject="Invoice is wrong")
    ticket_tags_set(ticket=tagged_before, actor=eduardo, names="billing")
    target = make_ticket(grace, subject="Charged twice")
    make_ticket(grace, subject="Backups slow")

    log_in(page, "eduardo@helpdesk.example")
    page.goto(f"/tickets/{target.pk}/")
    box = page.get_by_label("Tags (comma separated)")
    box.press_sequentially("bil")
    expect(page.locator("#ticket-tag-options option[value='billing']")).to_have_count(1)
    box.fill("billing, refund")
    page.get_by_role("button", name="Save tags").click()
    expect(page.locator(".ticket-tags .tag")).to_have_text(["billing", "refund"])

    page.goto("/tickets/queue/")
    expect(page.locator("#queue .queue-row")).to_have_count(3)
    page.get_by_label("Tags").fill("billing")
    page.get_by_label("Tags").press("Enter")
    expect(page).to_have_url(re.compile(r"tag=billing"))
    expect(page.locator("#queue .queue-row")).to_have_count(2)
    # A tag in a row is a link to the queue filtered by it: combined, only one matches.
    page.get_by_label("Tags").fill("billing, refund")
    page.get_by_label("Tags").press("Enter")
    expect(page.locator("#queue .queue-row")).to_have_count(1)
    expect(page.locator("#queue .queue-row")).to_contain_text("Charged twice")
