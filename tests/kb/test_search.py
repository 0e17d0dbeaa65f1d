"""The global search: articles and tickets in one ranked list, each side limited to what
the user may see; `#1042` opens the ticket. Runs on SQLite (the fallback) and, in
test_search_postgres.py, the same rules on PostgreSQL's full-text search."""

import pytest

from accounts.models import Tier
from kb.models import Visibility
from kb.search import global_search
from tests.factories import CustomerFactory, OrganizationFactory
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.services import comment_add

pytestmark = pytest.mark.django_db


def titles(page):
    return [result.title for result in page.results]


def test_finds_articles_and_tickets_by_a_word_of_the_ticket_description(engineer, customer):
    make_article(engineer, title="Deduplication explained", body="How the dedupe store works.")
    ticket = make_ticket(customer, subject="Slow jobs", description="The dedupe store is full.")
    page = global_search(user=engineer, query="dedupe", language="en")
    assert page.counts == {"article": 1, "ticket": 1}
    assert f"{ticket.reference} Slow jobs" in titles(page)
    assert "Deduplication explained" in titles(page)


def test_snippets_mark_the_matching_words(engineer, customer):
    make_ticket(customer, subject="Slow jobs", description="Since Monday the dedupe store fills.")
    page = global_search(user=engineer, query="dedupe", language="en")
    assert "<mark>dedupe</mark>" in page.results[0].snippet


def test_accents_do_not_matter(engineer, customer):
    make_article(engineer, language="pt-br", title="Guia de migração", body="Passo a passo.")
    assert titles(global_search(user=customer, query="migracao", language="pt-br")) == [
        "Guia de migração"
    ]
    assert titles(global_search(user=customer, query="MIGRAÇÃO", language="pt-br")) == [
        "Guia de migração"
    ]


def test_a_title_match_ranks_above_a_body_match(engineer, customer):
    make_article(engineer, title="Other topic", body="Mentions retention once.")
    make_article(engineer, title="Retention policies", body="All about keeping backups.")
    assert titles(global_search(user=customer, query="retention", language="en"))[0] == (
        "Retention policies"
    )


def test_public_replies_are_searched(engineer, customer):
    ticket = make_ticket(customer, subject="Slow jobs", description="Jobs are slow.")
    comment_add(ticket=ticket, author=engineer, body="Please raise the throttlelimit setting.")
    page = global_search(user=customer, query="throttlelimit", language="en")
    assert page.counts["ticket"] == 1


def test_filter_by_kind_and_pages(engineer, customer):
    for number in range(25):
        make_ticket(customer, subject=f"Vault sync {number}", description="vault sync fails")
    make_article(engineer, title="Vault sync guide", body="vault")
    page = global_search(user=customer, query="vault", language="en", kind="ticket", page=2)
    assert page.counts["ticket"] == 25
    assert page.num_pages == 2 and page.number == 2
    assert len(page.results) == 5
    assert all(result.kind == "ticket" for result in page.results)
    every = global_search(user=customer, query="vault", language="en")
    assert every.num_pages == 2 and len(every.results) == 20


def test_readers_get_their_language_when_it_exists(engineer, customer):
    from kb.services import article_update

    article = make_article(engineer, title="Installing the agent", body="agent install steps")
    article_update(
        article=article,
        editor=engineer,
        language="pt-br",
        title="Instalando o agente",
        body="agent passos de instalação",
        status="published",
        visibility="customers",
    )
    assert titles(global_search(user=customer, query="agent", language="pt-br")) == [
        "Instalando o agente"
    ]
    assert titles(global_search(user=customer, query="agent", language="en")) == [
        "Installing the agent"
    ]


def test_a_reference_opens_the_ticket_it_names(customer_client, customer):
    ticket = make_ticket(customer)
    response = customer_client.get("/search/", {"q": ticket.reference})
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"


def test_a_reference_to_another_organizations_ticket_opens_nothing(customer_client):
    other = make_ticket(CustomerFactory())
    response = customer_client.get("/search/", {"q": other.reference})
    assert response.status_code == 200
    assert b"Nothing matches" in response.content


def test_anonymous_visitors_find_public_articles_only(client, engineer):
    make_article(engineer, title="Public quantum guide", visibility=Visibility.PUBLIC)
    make_article(engineer, title="Customer quantum guide", visibility=Visibility.CUSTOMERS)
    response = client.get("/search/", {"q": "quantum"})
    assert b"Public quantum guide" in response.content
    assert b"Customer quantum guide" not in response.content


def test_tier_articles_follow_the_plan_in_force(engineer):
    premium = CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))
    standard = CustomerFactory(organization=OrganizationFactory(tier=Tier.STANDARD))
    make_article(
        engineer, title="Premium onboarding", visibility=Visibility.TIERS, tiers=["premium"]
    )
    assert global_search(user=premium, query="onboarding", language="en").counts["article"] == 1
    assert global_search(user=standard, query="onboarding", language="en").counts["article"] == 0


def test_drafts_are_found_by_staff_only(engineer, customer):
    make_article(engineer, title="Draft gizmo", status="draft")
    assert global_search(user=engineer, query="gizmo", language="en").counts["article"] == 1
    assert global_search(user=customer, query="gizmo", language="en").counts["article"] == 0


def test_search_page_renders_with_header_box(customer_client, customer, engineer):
    make_article(engineer, title="Tape library basics", body="tape")
    response = customer_client.get("/search/", {"q": "tape"})
    assert response.status_code == 200
    assert b'id="header-search"' in response.content
    assert b"Tape library basics" in response.content
