"""Permissions are part of the search's query: a word planted in another organization's
ticket, in an internal note and in a staff-only article reaches no customer through a
result, a suggestion, a snippet, a count or a page number. Runs on the suite's database
(SQLite, or PostgreSQL when DATABASE_URL points at it, as in CI)."""

import re

import pytest

from accounts.models import Tier
from kb.models import Visibility
from kb.search import article_suggestions, global_search
from tests.factories import CustomerFactory, OrganizationFactory
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.services import comment_add

pytestmark = pytest.mark.django_db

SECRET = "zorblaxite"


@pytest.fixture
def planted(engineer, customer):
    """The secret word everywhere a customer must not see, plus one visible match."""
    for _ in range(25):  # enough for a second page, if it leaked into page numbers
        make_ticket(CustomerFactory(), subject=f"{SECRET} outage", description=SECRET)
    own = make_ticket(customer, subject="Agent upgrade", description="The agent stopped.")
    comment_add(ticket=own, author=engineer, body=f"Internal: {SECRET} suspected.", is_public=False)
    make_article(engineer, title=f"{SECRET} runbook", body=SECRET, visibility=Visibility.STAFF)
    make_article(engineer, title=f"{SECRET} draft", body=SECRET, status="draft")
    make_article(
        engineer,
        title=f"{SECRET} premium",
        body=SECRET,
        visibility=Visibility.TIERS,
        tiers=[Tier.PREMIUM],
    )
    return own


@pytest.mark.parametrize("kind", ["", "article", "ticket"])
def test_no_customer_search_counts_or_pages_reveal_the_planted_word(planted, customer, kind):
    page = global_search(user=customer, query=SECRET, language="en", kind=kind)
    assert page.results == []
    assert page.counts == {"article": 0, "ticket": 0}
    assert page.num_pages == 1


def test_a_customer_reads_no_internal_note_in_a_snippet(planted, customer):
    page = global_search(user=customer, query="agent", language="en")
    assert [result.kind for result in page.results] == ["ticket"]
    assert SECRET not in page.results[0].snippet


def test_no_suggestion_reveals_the_planted_word(planted, customer):
    assert article_suggestions(user=customer, language="en", text=f"{SECRET} help") == []


def test_the_search_page_and_suggestions_show_nothing_of_it(planted, customer_client):
    # The page for the planted word is the page for a word that exists nowhere.
    unknown = "qwyxvutsrk"
    planted_page = customer_client.get("/search/", {"q": SECRET, "page": 2}).content.decode()
    unknown_page = customer_client.get("/search/", {"q": unknown, "page": 2}).content.decode()
    tokens = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"')
    assert tokens.sub("", planted_page.replace(SECRET, unknown)) == tokens.sub("", unknown_page)
    assert "Page 2" not in planted_page
    suggestions = customer_client.get("/kb/suggestions/", {"subject": SECRET}).content.decode()
    assert SECRET not in suggestions


def test_a_community_customer_does_not_find_colleagues_tickets(engineer):
    organization = OrganizationFactory(tier=Tier.COMMUNITY)
    alice, bob = (
        CustomerFactory(organization=organization),
        CustomerFactory(organization=organization),
    )
    make_ticket(bob, subject=f"{SECRET} bob", description="bob's own")
    assert global_search(user=alice, query=SECRET, language="en").counts["ticket"] == 0
    assert global_search(user=bob, query=SECRET, language="en").counts["ticket"] == 1


def test_staff_find_everything_planted(planted, engineer):
    page = global_search(user=engineer, query=SECRET, language="en")
    # 25 tickets, the own ticket's note, and 3 articles (staff read drafts and every tier).
    assert page.counts == {"article": 3, "ticket": 26}
