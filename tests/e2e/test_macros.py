"""Browser: an engineer applies a macro (key m, search, pick), edits the reply, sends it;
the macro's actions apply. The same from the queue's inline reply."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Tier
from tests.e2e.test_queue import log_in
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.macros import macro_save
from tickets.models import Status, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, country="US")
    grace = CustomerFactory(organization=org, first_name="Grace", language="en")
    eduardo = EngineerFactory(
        email="eduardo@helpdesk.example", first_name="Eduardo", last_name="Engineer"
    )
    maria = ManagerFactory()
    macro_save(
        actor=maria,
        title="Ask for logs",
        body_en="Hi {{customer.first_name}}, please send the logs for {{ticket.reference}}.",
        body_pt_br="Olá {{customer.first_name}}, envie os logs.",
        shared=True,
        set_status=Status.PENDING_CUSTOMER,
        add_tags="logs",
    )
    macro_save(actor=maria, title="Solved, thanks", body_en="Glad it works.", shared=True)
    return grace, eduardo


def test_engineer_applies_a_macro_edits_and_sends_it(page, setup):
    grace, _eduardo = setup
    ticket = make_ticket(grace, subject="Agent crashes")
    log_in(page, "eduardo@helpdesk.example")
    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("body").press("m")
    search = page.get_by_label("Apply a macro")
    expect(search).to_be_focused()
    search.press_sequentially("logs")
    expect(page.locator(".macro-choice")).to_have_count(1)
    page.get_by_role("button", name="Ask for logs").click()
    reply = page.get_by_label("Your reply")
    expect(reply).to_have_value(f"Hi Grace, please send the logs for {ticket.reference}.")
    expect(page.locator(".macro-applied")).to_contain_text("Status: Pending customer")
    reply.fill(reply.input_value() + " The agent log is enough.")
    page.get_by_label("Public reply").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".comment").last).to_contain_text("The agent log is enough.")
    expect(page.locator(".meta .status")).to_have_text("Pending customer")
    expect(page.locator(".ticket-tags .tag")).to_have_text(["logs"])


def test_macro_from_the_queue_inline_reply(page, setup):
    grace, _eduardo = setup
    ticket = make_ticket(grace, subject="License expired")
    log_in(page, "eduardo@helpdesk.example")
    page.goto("/tickets/queue/")
    row = page.locator(f"#ticket-{ticket.pk}")
    page.keyboard.press("j")  # the queue's current row
    expect(row).to_have_class(re.compile(r"is-current"))
    page.keyboard.press("m")
    search = row.get_by_label("Apply a macro")
    expect(search).to_be_focused()
    search.press_sequentially("ask")
    # Enter takes the first match: wait for the filtered list (a slow machine answers late).
    expect(row.locator(".macro-choice")).to_have_count(1)
    search.press("Enter")
    body = row.locator("textarea[name=body]")
    expect(body).to_have_value(re.compile(r"^Hi Grace, please send the logs"))
    row.get_by_role("button", name="Send").click()
    expect(page.locator("#queue .messages")).to_contain_text(f"Your reply to {ticket.reference}")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING_CUSTOMER
