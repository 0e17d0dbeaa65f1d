"""PostgreSQL's full-text search: stemming in the content's language, accents ignored,
documents kept current by the services, and the GIN indexes usable by the queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import ArticleTranslation
from kb.search import global_search
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.models import TicketSearchDocument
from tickets.services import comment_add

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_english_stemming_matches_other_forms(engineer, customer):
    make_ticket(customer, subject="Restores are hanging", description="Since the upgrade.")
    assert global_search(user=customer, query="restore hang", language="en").counts["ticket"] == 1


def test_portuguese_text_is_stemmed_as_portuguese_and_accents_do_not_matter(engineer, customer):
    ticket = make_ticket(
        customer,
        subject="Migração não termina",
        description="A migração dos dados para o destino não termina desde ontem.",
    )
    assert TicketSearchDocument.objects.get(ticket=ticket).language == "pt-br"
    for query in ("migracao", "migração", "MIGRAÇÃO"):
        assert global_search(user=customer, query=query, language="pt-br").counts["ticket"] == 1


def test_comments_refresh_the_document(engineer, customer):
    ticket = make_ticket(customer)
    comment_add(ticket=ticket, author=engineer, body="Kernel panics on hypervisor.")
    assert global_search(user=customer, query="hypervisor", language="en").counts["ticket"] == 1


def test_the_searches_can_use_the_gin_indexes(engineer, customer):
    # A customer's query may start from their organization's tickets instead (cheaper for
    # a small organization); the benchmark's EXPLAIN shows both at volume (README).
    make_article(engineer, title="Restore hangs", body="restore")
    make_ticket(customer, subject="Restore hangs", description="restore")
    with connection.cursor() as cursor:
        # Fresh statistics, whatever other tests left in these tables' estimates.
        cursor.execute("ANALYZE tickets_ticketsearchdocument")
        cursor.execute(f"ANALYZE {ArticleTranslation._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Not the primary key's order either (a plan for large tables): can a GIN serve it?
        cursor.execute("SET LOCAL enable_indexscan = off")
    plans = []
    for user in (engineer,):
        with CaptureQueriesContext(connection) as captured:
            global_search(user=user, query="restore", language="en")
        for query in captured.captured_queries:
            if "@@" in query["sql"]:  # the matching queries (ranking reads ids)
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + query["sql"])
                    plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans
    assert all("kb_translation_search_gin" in plan or "ticketsearch_" in plan for plan in plans), (
        plans
    )
