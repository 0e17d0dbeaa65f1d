"""The knowledge base's pages: who reads what, writing with a preview, votes, history,
ticket to draft, suggestions, the managers' report, the customer's home page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kb.models import Article, ArticleVote, Visibility
from tests.factories import CustomerFactory
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_read_public_articles_and_not_others(client, engineer):
    public = make_article(engineer, title="Public guide", visibility=Visibility.PUBLIC)
    private = make_article(engineer, title="Customers' guide")
    assert client.get(f"/kb/a/{public.slug}/").status_code == 200
    assert client.get(f"/kb/a/{private.slug}/").status_code == 404
    home = client.get("/kb/").content.decode()
    assert "Public guide" in home and "Customers&#x27; guide" not in home


def test_staff_only_and_draft_articles_are_404_for_customers(customer_client, engineer):
    staff = make_article(engineer, visibility=Visibility.STAFF)
    draft = make_article(engineer, status="draft")
    assert customer_client.get(f"/kb/a/{staff.slug}/").status_code == 404
    assert customer_client.get(f"/kb/a/{draft.slug}/").status_code == 404


def test_docs_is_the_product_documentation_section(client, engineer):
    make_article(engineer, title="Retention policies", section="documentation", visibility="public")
    response = client.get("/docs/")
    assert response.status_code == 200
    assert "Retention policies" in response.content.decode()
    assert "/api/docs/" in response.content.decode()


def test_readers_get_their_language_and_a_link_to_the_other(customer_client, engineer):
    from kb.services import article_update

    article = make_article(engineer, title="Installing the agent")
    article_update(
        article=article,
        editor=engineer,
        language="pt-br",
        title="Instalando o agente",
        body="Passos.",
        status="published",
        visibility="customers",
    )
    english = customer_client.get(f"/kb/a/{article.slug}/").content.decode()
    assert "<h1>Installing the agent</h1>" in english and "Português (Brasil)" in english
    portuguese = customer_client.get(
        f"/kb/a/{article.slug}/", HTTP_ACCEPT_LANGUAGE="pt-br"
    ).content.decode()
    assert "<h1>Instalando o agente</h1>" in portuguese


def test_a_customer_and_an_anonymous_visitor_vote_with_a_comment(client, customer, engineer):
    article = make_article(engineer, visibility=Visibility.PUBLIC)
    url = f"/kb/a/{article.slug}/vote/"
    client.post(url, {"helpful": "no", "comment": "Step 3 is unclear", "language": "en"})
    client.force_login(customer)
    client.post(url, {"helpful": "yes", "language": "en"})
    votes = ArticleVote.objects.order_by("pk")
    assert [(vote.user, vote.helpful, vote.comment) for vote in votes] == [
        (None, False, "Step 3 is unclear"),
        (customer, True, ""),
    ]
    assert (
        "You found this article helpful." in client.get(f"/kb/a/{article.slug}/").content.decode()
    )


def test_staff_read_the_votes_and_comments_on_the_article(client, customer, engineer):
    article = make_article(engineer, visibility=Visibility.PUBLIC)
    url = f"/kb/a/{article.slug}/vote/"
    client.post(url, {"helpful": "no", "comment": "Step 3 is unclear", "language": "en"})
    client.force_login(customer)
    client.post(url, {"helpful": "yes", "comment": "Worked first time", "language": "en"})
    client.force_login(engineer)
    response = client.get(f"/kb/a/{article.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 found it helpful, 1 did not." in html
    assert "Step 3 is unclear" in html and "Worked first time" in html
    assert html.count('<svg class="icon"') >= 2  # a thumb per comment, not an emoji


def test_engineers_write_with_a_preview_and_files(engineer_client, engineer):
    preview = engineer_client.post("/kb/preview/", {"body": "**bold** <script>x</script>"})
    assert b"<strong>bold</strong>" in preview.content and b"<script" not in preview.content
    response = engineer_client.post(
        "/kb/new/",
        {
            "language": "en",
            "section": "getting-started",
            "title": "Quick start",
            "body": "Steps.",
            "status": "published",
            "visibility": "customers",
            "attachments": [SimpleUploadedFile("shot.png", b"\x89PNG\r\n", "image/png")],
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kb/a/{article.slug}/"
    attachment = article.attachments.get()
    assert engineer_client.get(f"/kb/files/{attachment.pk}/shot.png").status_code == 200


def test_customers_cannot_open_the_editor(customer_client, engineer):
    article = make_article(engineer)
    assert customer_client.get("/kb/new/").status_code == 403
    assert customer_client.get(f"/kb/a/{article.slug}/edit/").status_code == 403


def test_history_shows_who_changed_what(engineer_client, engineer):
    article = make_article(engineer)
    engineer_client.post(
        f"/kb/a/{article.slug}/edit/?lang=en",
        {
            "language": "en",
            "section": "knowledge-base",
            "title": "Restore a backup to another server",
            "body": "A brand new paragraph.",
            "status": "published",
            "visibility": "customers",
            "note": "Rewrote the steps",
            "version": 1,
        },
    )
    history = engineer_client.get(f"/kb/a/{article.slug}/history/").content.decode()
    assert "Rewrote the steps" in history and "+A brand new paragraph." in history


def test_a_solved_ticket_turns_into_a_draft_in_one_click(engineer_client, engineer, customer):
    ticket = make_ticket(customer)
    ticket_change_status(ticket=ticket, actor=engineer, status="solved")
    page = engineer_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/kb/from-ticket/{ticket.pk}/" in page
    response = engineer_client.post(f"/kb/from-ticket/{ticket.pk}/")
    article = Article.objects.get()
    assert response["Location"] == f"/kb/a/{article.slug}/edit/"
    assert article.visibility == Visibility.STAFF


def test_new_ticket_form_suggests_matching_articles(customer_client, engineer):
    make_article(engineer, title="Restore hangs at 99%", body="Install patch 11.2.3.")
    make_article(engineer, title="Unrelated", body="Nothing here.", visibility=Visibility.STAFF)
    form = customer_client.get("/tickets/new/").content.decode()
    assert 'hx-get="/kb/suggestions/"' in form
    response = customer_client.get(
        "/kb/suggestions/",
        {"subject": "Our restore hang", "suggestion_token": "8d3c4e38-1111-4a4a-9a9a-0123456789ab"},
    )
    body = response.content.decode()
    assert "Restore hangs at 99%" in body and "Unrelated" not in body
    assert "/kb/suggestions/8d3c4e38-1111-4a4a-9a9a-0123456789ab/" in body


def test_the_report_is_for_managers(manager_client):
    assert manager_client.get("/kb/report/").status_code == 200


def test_the_report_is_not_for_customers(customer_client):
    assert customer_client.get("/kb/report/").status_code == 403


def test_customer_home_leads_with_self_service(customer_client, customer, engineer):
    make_article(engineer, title="Install the agent", section="getting-started")
    make_article(engineer, title="Retention policies", section="documentation")
    make_ticket(customer, subject="Agent crashes")
    make_ticket(CustomerFactory(organization=customer.organization), subject="Colleague's")
    home = customer_client.get("/").content.decode()
    for expected in (
        'id="home-search"',
        "Install the agent",
        "Retention policies",
        "/api/docs/",
        "Agent crashes",
        "We respond within",
    ):
        assert expected in home
    assert "Colleague" not in home


def test_search_page_query_count_is_fixed(
    customer_client, customer, engineer, django_assert_max_num_queries
):
    for number in range(10):
        make_article(engineer, title=f"Tape guide {number}", body="tape")
        make_ticket(customer, subject=f"Tape {number}", description="tape drive")
    # Session, user, roles, plan, two candidate lists, one ranked page, its rows (and on
    # PostgreSQL the search transaction and its two settings): fixed, whatever matches.
    with django_assert_max_num_queries(15):
        response = customer_client.get("/search/", {"q": "tape"})
    assert response.status_code == 200
