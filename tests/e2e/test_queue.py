"""Browser: engineers work the queue; a stale page is told who changed what."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier
from tests.factories import PASSWORD, CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import EventKind, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_engineer_triages_unassigned_p1_p2_and_a_stale_colleague_is_told(
    page, browser, live_server
):
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    grace = CustomerFactory(organization=org, email="grace@globex.example")
    EngineerFactory(email="eduardo@helpdesk.example", first_name="Eduardo", last_name="Engineer")
    EngineerFactory(email="emma@helpdesk.example", first_name="Emma", last_name="Engineer")
    now = timezone.now()
    top = make_ticket(
        grace,
        subject="Backups fail every time",
        impact="high",
        urgency="high",
        at=now - datetime.timedelta(minutes=5),
    )
    other = make_ticket(grace, subject="Backup speed dropped", impact="medium", urgency="high")
    make_ticket(grace, subject="Clarify a setting", impact="low", urgency="low")

    # Emma opens the top ticket first and leaves the page as it is.
    second = browser.new_context(base_url=live_server.url, locale="en-US")
    emma = second.new_page()
    emma.set_default_timeout(10_000)
    log_in(emma, "emma@helpdesk.example")
    emma.goto(f"/tickets/{top.pk}/")
    expect(emma.get_by_role("heading", level=1)).to_contain_text(top.reference)

    # Eduardo filters to Unassigned P1/P2 and takes the top ticket.
    log_in(page, "eduardo@helpdesk.example")
    page.get_by_role("link", name="Queue").first.click()
    page.locator(".view-list a", has_text="Unassigned P1/P2").click()
    expect(page).to_have_url(re.compile(r"assignee=unassigned"))
    rows = page.locator("#queue .queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Backups fail every time")
    expect(rows.first).to_contain_text("left")
    rows.first.get_by_role("button", name="Take").click()
    expect(page.locator("#queue .messages")).to_contain_text(f"You took {top.reference}.")
    expect(page.locator("#queue .queue-row")).to_have_count(1)  # no longer unassigned

    # He replies publicly on the ticket page: the first-response clock is met.
    page.goto(f"/tickets/{top.pk}/")
    expect(page.locator("#presence")).to_contain_text("Emma Engineer also has this ticket open.")
    page.get_by_label("Your reply").fill("We are restoring the agent now.")
    page.get_by_label("Public reply").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".sla-box")).to_contain_text("Met")
    expect(
        page.locator(".conversation, #conversation-heading + article, .comment").first
    ).to_contain_text("We are restoring the agent now.")

    # Back in the queue he re-classifies the other ticket, with a reason.
    page.goto("/tickets/queue/?assignee=unassigned&priority=P1&priority=P2")
    row = page.locator(f"#ticket-{other.pk}")
    row.get_by_text("Actions").click()  # the menu is fetched when opened
    row.get_by_label("New priority").select_option("P1")
    row.get_by_label("Reason").fill("Their whole site is down")
    row.get_by_role("button", name="Re-classify").click()
    expect(page.locator("#queue .messages")).to_contain_text(f"{other.reference} was re-classified")
    expect(page.locator(f"#ticket-{other.pk} .priority")).to_have_text("P1")

    # Emma, on her stale page, tries to take the ticket Eduardo already took.
    emma.get_by_role("button", name="Take").click()
    message = emma.locator(".messages")
    expect(message).to_contain_text("was changed by Eduardo Engineer since you opened it")
    expect(message).to_contain_text("Assignee changed from nobody to Eduardo Engineer.")
    expect(emma.locator(".ticket-head")).to_contain_text("Assignee: Eduardo Engineer")
    second.close()

    top = Ticket.objects.get(pk=top.pk)
    assert top.assignee.email == "eduardo@helpdesk.example"
    assert top.clocks.get(metric="first_response").met_at is not None
    other = Ticket.objects.get(pk=other.pk)
    assert other.priority == "P1"
    assert other.events.get(kind=EventKind.PRIORITY_RECLASSIFIED).data["reason"] == (
        "Their whole site is down"
    )


def test_queue_countdowns_refresh_by_themselves(page, live_server):
    org = OrganizationFactory(name="Initrode", tier=Tier.PREMIUM, time_zone="America/New_York")
    customer = CustomerFactory(organization=org)
    EngineerFactory(email="ivy@helpdesk.example")
    ticket = make_ticket(customer, subject="Cluster down", impact="high", urgency="high")
    log_in(page, "ivy@helpdesk.example")
    page.goto("/tickets/queue/")
    cell = page.locator(f'[data-countdown="{ticket.pk}"]')
    expect(cell).to_contain_text("left around the clock")
    # The deadline passes while the page stays open (moved here rather than waited for).
    past = timezone.now() - datetime.timedelta(minutes=3)
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=past)
    ticket.clocks.update(due_at=past)
    page.evaluate("window.helpdeskRefreshCountdowns()")  # the minute's timer, run now
    expect(cell).to_contain_text("overdue by 3 min around the clock")
    expect(page.locator(f"#ticket-{ticket.pk}")).to_have_class(re.compile(r"sla-row-breached"))
