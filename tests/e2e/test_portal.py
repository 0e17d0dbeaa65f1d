"""Browser: customers file tickets and see deadlines they can trust; others see nothing."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from accounts.models import Tier
from tests.factories import PASSWORD, CustomerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_standard_customer_files_p2_overrides_to_p1_and_sees_deadline_in_own_zone(page):
    org = OrganizationFactory(tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR")
    CustomerFactory(email="ana@acme.example", organization=org, time_zone="America/New_York")
    # Friday 16:30 in São Paulo.
    friday = datetime.datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))
    with time_machine.travel(friday, tick=True):
        log_in(page, "ana@acme.example")
        page.get_by_role("link", name="New ticket").first.click()
        page.get_by_label("Subject").fill("Backups fail every night")
        page.get_by_role("group", name="Impact").get_by_label("Medium").check()
        page.get_by_role("group", name="Urgency").get_by_label("High").check()
        expect(page.locator("#priority-badge")).to_have_text("P2")
        expect(page.locator("#priority-target")).to_contain_text("3h of business hours")
        page.get_by_label("My business needs a different priority").check()
        page.locator("#id_priority_override").select_option("P1")
        expect(page.locator("#priority-target")).to_contain_text("1h of business hours")
        page.get_by_label("Why?").fill("Auditors arrive on Monday")
        page.get_by_label("Description").fill("No successful backup for 48 hours.")
        page.get_by_role("button", name="File ticket").click()
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        ticket = Ticket.objects.get()
        expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
        # 30 min on Friday + 30 min on Monday: 08:30 in São Paulo = 07:30 in New York.
        expect(page.locator(".sla-box")).to_contain_text(
            "We will respond by Mon 9 Mar 2026, 07:30."
        )
        expect(page.locator(".sla-box")).to_contain_text(
            "so due Mon 9 Mar 2026, 08:30 (São Paulo time)"
        )
        expect(page.locator(".sla-box")).to_contain_text("P1 on the Standard plan")
        expect(page.locator(".timeline")).to_contain_text(
            "Priority overridden from P2 to P1: Auditors arrive on Monday"
        )
    assert (ticket.derived_priority, ticket.priority) == ("P2", "P1")


def test_community_user_files_a_ticket_and_sees_best_effort(page):
    org = OrganizationFactory(tier=Tier.COMMUNITY, time_zone="Asia/Kolkata")
    CustomerFactory(email="priya@community.example", organization=org)
    log_in(page, "priya@community.example")
    page.goto("/tickets/new/")
    page.get_by_label("Subject").fill("How do I configure retention?")
    page.get_by_role("group", name="Impact").get_by_label("Low").check()
    page.get_by_role("group", name="Urgency").get_by_label("Low").check()
    expect(page.locator("#priority-target")).to_contain_text("Best effort")
    page.get_by_label("Description").fill("Please clarify the retention setting.")
    page.get_by_role("button", name="File ticket").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    expect(page.locator(".sla-box")).to_contain_text("best effort")
    expect(page.locator(".sla-box")).not_to_contain_text("We will respond by")


def test_customer_of_another_organization_gets_404_on_ticket_and_attachment(page):
    acme = OrganizationFactory(name="Acme", tier=Tier.STANDARD)
    globex = OrganizationFactory(name="Globex", tier=Tier.PREMIUM)
    ticket = make_ticket(
        CustomerFactory(organization=acme),
        subject="Acme secret outage",
        attachments=[SimpleUploadedFile("config.xml", b"<secret/>")],
    )
    attachment = ticket.attachments.get()
    CustomerFactory(email="grace@globex.example", organization=globex)
    log_in(page, "grace@globex.example")
    response = page.goto(f"/tickets/{ticket.pk}/")
    assert response.status == 404
    assert "Acme secret outage" not in page.content()
    response = page.request.get(f"/tickets/attachments/{attachment.pk}/")
    assert response.status == 404
    assert b"secret" not in response.body()
