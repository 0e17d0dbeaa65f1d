"""The global search: articles and tickets the user may see, ranked together, one page.

Both sides start from their permission selectors (`articles_visible_to` through
`translations_for_reader`, `tickets.search.ticket_search_matches` through
`tickets_visible_to`), so matches, counts, page numbers and snippets are computed only
over what the user may see. The page is one UNION ALL query ordered by rank; snippets
are cut from the page's own rows, from text the user may read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import CharField, F, FloatField, Value
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.models import User
from helpdesk import search
from kb.models import Article, ArticleTranslation
from kb.selectors import Reader, translations_for_reader
from tickets.models import Ticket, TicketSearchDocument
from tickets.search import ticket_search_matches, ticket_search_rank, ticket_search_texts

KINDS = ("article", "ticket")
PAGE_SIZE = 20
MAX_PAGES = 25
# A search ranks at most this many matches of each kind: the newest ones. Ranking every
# match of a word found in half the tickets costs time in proportion to the table; this
# keeps a search's cost bounded, and MAX_PAGES pages of PAGE_SIZE show no more anyway.
CANDIDATES = MAX_PAGES * PAGE_SIZE
# Articles answer questions; a tie with a ticket goes to the article.
ARTICLE_BOOST = 1.25


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    url: str
    snippet: str
    updated_at: object
    label: str = ""
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class SearchPage:
    query: str
    kind: str
    results: list[Result]
    counts: dict[str, int]
    number: int
    num_pages: int

    @property
    def capped(self) -> dict[str, bool]:
        """Per kind: more matches exist than were ranked (shown as "1000+")."""
        return {key: value >= CANDIDATES for key, value in self.counts.items()}

    @property
    def total(self) -> int:
        return self.counts.get(self.kind, 0) if self.kind else sum(self.counts.values())

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def article_matches(
    *, user: Reader, language: str, terms: list[str], prefix: bool = False, any_term: bool = False
):
    """Visible translations (one per article, the reader's language first) holding every
    term (``any_term``: one of them), with ``rank``."""
    options = {"prefix": prefix, "any_term": any_term}
    return (
        translations_for_reader(user, language=language)
        .filter(search.match("search_document", terms, **options))
        .annotate(rank=article_rank(terms, **options))
    )


def article_rank(terms: list[str], **options: bool):
    return search.rank("search_document", terms, **options) * ARTICLE_BOOST


def newest_candidates(matches) -> list[int]:
    """The ids of the newest ``CANDIDATES`` of these matches: the database stops looking
    once it has them (or reads the GIN index when matches are few). Only they are ranked,
    so a word found in half the tickets costs no more than a rarer one."""
    return list(matches.order_by("-pk").values_list("pk", flat=True)[:CANDIDATES])


def _rows(queryset, kind: str, updated: str):
    return (
        queryset.annotate(
            kind=Value(kind, output_field=CharField()),
            score=Cast(F("rank"), FloatField()),
            updated=F(updated),
        )
        .order_by()
        .values_list("kind", "pk", "score", "updated")
    )


def global_search(
    *, user: Reader, query: str, language: str, kind: str = "", page: int = 1
) -> SearchPage:
    """One page of results for ``query`` (ranked, best first), the count per kind and the
    number of pages, computed over what ``user`` may see only."""
    with search.search_transaction():
        return _global_search(user=user, query=query, language=language, kind=kind, page=page)


def _global_search(*, user: Reader, query: str, language: str, kind: str, page: int) -> SearchPage:
    kind = kind if kind in KINDS else ""
    terms = search.search_terms(query)
    empty = SearchPage(query, kind, [], {"article": 0, "ticket": 0}, 1, 1)
    if not terms:
        return empty
    article_ids = newest_candidates(article_matches(user=user, language=language, terms=terms))
    ticket_ids = (
        newest_candidates(ticket_search_matches(user=user, terms=terms))
        if isinstance(user, User)
        else []
    )
    counts = {"article": len(article_ids), "ticket": len(ticket_ids)}
    articles = ArticleTranslation.objects.filter(pk__in=article_ids).annotate(
        rank=article_rank(terms)
    )
    tickets = (
        TicketSearchDocument.objects.filter(pk__in=ticket_ids).annotate(
            rank=ticket_search_rank(user=user, terms=terms)
        )
        if isinstance(user, User)
        else TicketSearchDocument.objects.none()
    )
    shown = counts[kind] if kind else sum(counts.values())
    num_pages = max(1, min(MAX_PAGES, math.ceil(shown / PAGE_SIZE)))
    number = max(1, min(page, num_pages))
    parts = []
    if kind in ("", "article") and counts["article"]:
        parts.append(_rows(articles, "article", "updated_at"))
    if kind in ("", "ticket") and counts["ticket"]:
        parts.append(_rows(tickets, "ticket", "updated_at"))
    if not parts:
        return SearchPage(query, kind, [], counts, 1, 1)
    union = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    offset = (number - 1) * PAGE_SIZE
    rows = list(union.order_by("-score", "-updated")[offset : offset + PAGE_SIZE])
    return SearchPage(
        query, kind, _results(rows, user=user, terms=terms), counts, number, num_pages
    )


def _results(rows, *, user: Reader, terms: list[str]) -> list[Result]:
    article_ids = [pk for kind, pk, _score, _updated in rows if kind == "article"]
    ticket_ids = [pk for kind, pk, _score, _updated in rows if kind == "ticket"]
    translations = {
        translation.pk: translation
        for translation in ArticleTranslation.objects.filter(pk__in=article_ids).select_related(
            "article"
        )
    }
    tickets = {
        ticket.pk: ticket
        for ticket in Ticket.objects.filter(pk__in=ticket_ids).only(
            "pk", "subject", "description", "status", "last_activity_at"
        )
    }
    texts = (
        ticket_search_texts(tickets=list(tickets.values()), viewer=user)
        if tickets and isinstance(user, User)
        else {}
    )
    results = []
    for kind, pk, _score, _updated in rows:
        if kind == "article" and pk in translations:
            translation = translations[pk]
            article = translation.article
            text = (
                translation.summary
                if search.contains_terms(translation.summary, terms)
                else translation.body
            )
            results.append(
                Result(
                    kind="article",
                    title=translation.title,
                    url=reverse("kb:article", args=[article.slug]),
                    snippet=search.highlight(text or translation.body, terms),
                    updated_at=translation.updated_at,
                    label=article.get_section_display(),
                    extra={"draft": not article.is_published},
                )
            )
        elif kind == "ticket" and pk in tickets:
            ticket = tickets[pk]
            results.append(
                Result(
                    kind="ticket",
                    title=f"{ticket.reference} {ticket.subject}",
                    url=reverse("ticket_detail", args=[ticket.pk]),
                    snippet=search.highlight(texts.get(pk, ""), terms),
                    updated_at=ticket.last_activity_at,
                    label=ticket.get_status_display(),
                )
            )
    return results


def article_suggestions(
    *, user: Reader, language: str, text: str, limit: int = 5
) -> list[tuple[Article, ArticleTranslation]]:
    """Published articles matching what a customer is typing (the last word may be
    unfinished), best first: the new-ticket form's suggestions."""
    terms = search.search_terms(text)
    terms = [term for term in terms if term not in search.COMMON_WORDS and len(term) > 2]
    if not terms:
        return []
    matches = (
        article_matches(user=user, language=language, terms=terms, prefix=True, any_term=True)
        .filter(article__status="published")
        .select_related("article")
        .order_by("-rank", "-updated_at")[:limit]
    )
    return [(translation.article, translation) for translation in matches]
