"""Browser: self-service first. A customer searches, opens an article and votes; starts a
new ticket and is offered a matching article; an engineer finds a ticket by a word from
its description."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import ArticleVote, Visibility
from tests.e2e.test_portal import log_in
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_searches_reads_votes_and_is_offered_an_article_for_a_new_ticket(page):
    author = EngineerFactory()
    make_article(
        author,
        title="Restore job hangs at 99%",
        summary="Patch 11.2.3 fixes it.",
        body="A restore that stops at 99% waits for the catalog. Install patch 11.2.3.",
        visibility=Visibility.CUSTOMERS,
    )
    CustomerFactory(email="ana@acme.example", organization=OrganizationFactory())
    log_in(page, "ana@acme.example")

    page.locator("#header-search").fill("catalog")
    page.locator("#header-search").press("Enter")
    page.wait_for_url(re.compile(r".*/search/\?q=catalog"))
    expect(page.locator(".snippet mark").first).to_have_text("catalog")
    page.get_by_role("link", name="Restore job hangs at 99%").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Restore job hangs at 99%")
    page.get_by_label("Yes").check()
    page.get_by_label("Anything we should add or fix? (optional)").fill("Clear, thanks")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".vote")).to_contain_text("You found this article helpful.")
    vote = ArticleVote.objects.get()
    assert vote.helpful and vote.comment == "Clear, thanks"

    page.goto("/tickets/new/")
    page.get_by_label("Subject").press_sequentially("Our restore hangs", delay=20)
    suggestion = page.locator("#kb-suggestions").get_by_role("link", name="Restore job hangs")
    expect(suggestion).to_be_visible()


def test_engineer_finds_a_ticket_by_a_word_of_its_description(page):
    customer = CustomerFactory()
    ticket = make_ticket(
        customer, subject="Nightly job", description="The hypervisor snapshot times out."
    )
    EngineerFactory(email="eng@helpdesk.example")
    log_in(page, "eng@helpdesk.example")
    page.locator("#header-search").fill("hypervisor")
    page.locator("#header-search").press("Enter")
    result = page.get_by_role("link", name=f"{ticket.reference} Nightly job")
    expect(result).to_be_visible()
    expect(page.locator(".result-ticket .snippet mark")).to_have_text("hypervisor")
    result.click()
    page.wait_for_url(re.compile(rf".*/tickets/{ticket.pk}/$"))
