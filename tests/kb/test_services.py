"""Writing articles: versions with who changed what, languages, votes, drafts from
solved tickets without the customer's details."""

import pytest
from django.core.exceptions import ValidationError

from helpdesk.exceptions import PolicyViolation, StaleUpdate
from kb.models import ArticleStatus, ArticleVote, Visibility
from kb.selectors import suggestion_report
from kb.services import (
    article_draft_from_ticket,
    article_update,
    article_vote,
    suggestion_clicked,
    suggestions_shown,
)
from tests.factories import CustomerFactory, OrganizationFactory
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.services import comment_add, ticket_change_status

pytestmark = pytest.mark.django_db


def test_customers_cannot_write_articles(customer):
    with pytest.raises(PolicyViolation):
        make_article(customer)


def test_every_save_is_a_version_with_who_and_what(engineer, manager):
    article = make_article(engineer)
    article_update(
        article=article,
        editor=manager,
        language="en",
        title="Restore a backup elsewhere",
        body="New steps.",
        status=ArticleStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        note="Simpler steps",
    )
    versions = list(article.translations.get(language="en").versions.order_by("number"))
    assert [(v.number, v.edited_by, v.note) for v in versions] == [
        (1, engineer, "Created"),
        (2, manager, "Simpler steps"),
    ]
    assert versions[0].body != versions[1].body
    assert versions[1].visibility == Visibility.PUBLIC


def test_a_stale_edit_is_refused(engineer):
    article = make_article(engineer)
    values = {
        "language": "en",
        "title": "T",
        "body": "B",
        "status": "published",
        "visibility": "customers",
    }
    article_update(article=article, editor=engineer, expected_version=1, **values)
    with pytest.raises(StaleUpdate):
        article_update(article=article, editor=engineer, expected_version=1, **values)


def test_tier_visibility_needs_a_tier(engineer):
    with pytest.raises(ValidationError):
        make_article(engineer, visibility=Visibility.TIERS, tiers=[])


def test_voting_again_replaces_the_vote(engineer, customer):
    article = make_article(engineer)
    article_vote(article=article, language="en", helpful=False, comment="Too short", user=customer)
    article_vote(article=article, language="en", helpful=True, user=customer)
    vote = ArticleVote.objects.get()
    assert vote.helpful and vote.comment == ""


def test_a_solved_ticket_becomes_a_staff_only_draft_without_the_customer(engineer):
    organization = OrganizationFactory(name="Acme Widgets")
    customer = CustomerFactory(
        organization=organization, first_name="Joana", last_name="Pereira", email="joana@acme.io"
    )
    ticket = make_ticket(
        customer,
        subject="Acme Widgets: restore hangs",
        description="Hi, Joana Pereira here (joana@acme.io, +55 11 98765-4321). Restore hangs.",
    )
    comment_add(ticket=ticket, author=engineer, body="Joana, install patch 11.2.3.")
    comment_add(ticket=ticket, author=engineer, body="Internal: rude customer", is_public=False)
    ticket = ticket_change_status(ticket=ticket, actor=engineer, status="solved")
    article = article_draft_from_ticket(ticket=ticket, author=engineer)
    translation = article.translations.get()
    text = translation.title + translation.body
    assert article.status == ArticleStatus.DRAFT and article.visibility == Visibility.STAFF
    assert article.source_ticket == ticket
    assert "patch 11.2.3" in text and "Restore hangs" in text
    for leaked in ("Joana", "Pereira", "joana@acme.io", "98765", "Acme Widgets", "rude"):
        assert leaked not in text


def test_an_open_ticket_does_not_become_an_article(engineer, customer):
    with pytest.raises(PolicyViolation):
        article_draft_from_ticket(ticket=make_ticket(customer), author=engineer)


def test_suggestions_report_shown_clicked_and_deflected(engineer, customer):
    import datetime
    import uuid

    from django.utils import timezone

    article = make_article(engineer)
    deflected, followed, ignored = (str(uuid.uuid4()) for _ in range(3))
    for token in (deflected, followed, ignored):
        suggestions_shown(token=token, user=customer, articles=[article])
        suggestions_shown(token=token, user=customer, articles=[article])  # typing on
    suggestion_clicked(token=deflected, user=customer, article=article)
    other = CustomerFactory(organization=customer.organization)
    suggestions_shown(token=followed, user=other, articles=[article])  # not theirs: ignored
    suggestion_clicked(token=followed, user=customer, article=article)
    # The customer then files a ticket: every form shown before it counts as followed.
    report = suggestion_report(since=timezone.now() - datetime.timedelta(days=1))
    assert (report["shown"], report["clicked"], report["deflected"]) == (3, 2, 2)
    make_ticket(customer)
    report = suggestion_report(since=timezone.now() - datetime.timedelta(days=1))
    assert (report["shown"], report["clicked"], report["deflected"]) == (3, 2, 0)
    assert report["per_article"][0]["clicks"] == 2
