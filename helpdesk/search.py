"""The search engine both the knowledge base and the tickets index their text with.

One interface, two backends:

- **PostgreSQL**: a stored ``tsvector`` per document (GIN-indexed), built by the
  services with the document's own language's stemming (English or Portuguese) over
  ``helpdesk_unaccent(text)`` (migration ``helpdesk/0002``), so "migração" finds
  "migracao"; a query is parsed with both languages' stemming and OR-ed, so it matches
  a document in either; ``ts_rank`` orders the matches.
- **SQLite** (``make run``, the test suite): the same column holds the document's text,
  lower-cased and unaccented in Python; a query matches when every term occurs in it,
  and terms found earlier (titles come first) rank higher.

Query text is reduced to word terms here (letters and digits only), so nothing a user
types reaches PostgreSQL's query syntax.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, StrIndex

ENGLISH, PORTUGUESE = "en", "pt-br"
LANGUAGES = (ENGLISH, PORTUGUESE)
CONFIGS = {ENGLISH: "english", PORTUGUESE: "portuguese"}
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)

# Frequent words that tell one language from the other in a few sentences.
_PORTUGUESE_WORDS = frozenset(
    [
        "não",
        "nao",
        "que",
        "de",
        "para",
        "com",
        "uma",
        "um",
        "os",
        "as",
        "do",
        "da",
        "dos",
        "das",
        "no",
        "na",
        "nos",
        "nas",
        "em",
        "por",
        "é",
        "está",
        "esta",
        "são",
        "sao",
        "como",
        "mais",
        "mas",
        "ao",
        "se",
        "já",
        "ja",
        "foi",
        "ser",
        "tem",
        "também",
        "tambem",
        "quando",
        "isso",
        "esse",
        "essa",
        "olá",
        "ola",
        "obrigado",
        "obrigada",
        "você",
        "voce",
        "problema",
        "erro",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "are",
        "was",
        "not",
        "with",
        "for",
        "on",
        "in",
        "it",
        "this",
        "that",
        "be",
        "have",
        "has",
        "from",
        "at",
        "by",
        "when",
        "does",
        "do",
        "an",
        "or",
        "can",
        "will",
        "after",
        "before",
        "please",
        "thanks",
        "error",
        "problem",
    ]
)


class SearchDocumentField(SearchVectorField):
    """A ``tsvector`` on PostgreSQL; plain text (normalized words) elsewhere."""

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def search_transaction() -> Iterator[None]:
    """PostgreSQL: run a search's queries in one transaction, planned for a search.

    - No parallel workers: a search ranks at most a thousand rows; starting workers
      (which the planner picks for the ranking's sort) cost more than the work they share
      (10–15 ms of a 22 ms query at 100,000 tickets).
    - No sequential scans where an index serves: the planner under-estimates what testing
      ``@@`` row by row costs when the documents are stored out of line (TOAST), and picked
      a 45 ms scan of every article over a 4 ms read of the GIN index for a word found in
      a third of them. A search's matches always come from an index (GIN, or the
      primary key read newest first).
    """
    if not is_postgres():
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def _unaccented(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[0]
    return base if base.isascii() else char


_LATIN_UNACCENTED = {
    code: _unaccented(chr(code))
    for code in range(0xC0, 0x250)
    if _unaccented(chr(code)) != chr(code)
}


def normalize(text: str) -> str:
    """Lower-case, without accents: how SQLite documents and all terms are compared."""
    text = (text or "").lower()
    if text.isascii():
        return text
    # Latin letters with accents (Portuguese's and most of Europe's): one table lookup
    # each; anything else through Unicode decomposition.
    text = text.translate(_LATIN_UNACCENTED)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Words too common to suggest an article by (the new-ticket suggestions skip them).
COMMON_WORDS = frozenset(normalize(word) for word in _PORTUGUESE_WORDS | _ENGLISH_WORDS) - {
    "erro",
    "error",
    "problema",
    "problem",
}


def search_terms(query: str) -> list[str]:
    """The words of a query, normalized, at most ``MAX_TERMS``, duplicates dropped."""
    words = [normalize(word) for word in _WORD.findall(query or "")]
    return list(dict.fromkeys(word for word in words if word))[:MAX_TERMS]


def detect_language(text: str, *, default: str = ENGLISH) -> str:
    """English or Brazilian Portuguese, by counting each language's frequent words."""
    words = [word.casefold() for word in _WORD.findall(text or "")[:400]]
    portuguese = sum(word in _PORTUGUESE_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    if portuguese > english:
        return PORTUGUESE
    if english > portuguese:
        return ENGLISH
    return default if default in LANGUAGES else ENGLISH


def plain_document(parts: Sequence[str]) -> str:
    """The SQLite document: the parts' normalized text, most important first."""
    return "\n".join(normalize(part) for part in parts if part)


class Unaccent(Func):
    function = "helpdesk_unaccent"


def _tsquery_text(terms: Sequence[str], *, prefix: bool, any_term: bool) -> str:
    # Terms are \w+ words, so they cannot carry tsquery operators.
    words = list(terms)
    if prefix and words:
        words[-1] = f"{words[-1]}:*"
    return (" | " if any_term else " & ").join(words)


def text_query(
    terms: Sequence[str], *, prefix: bool = False, any_term: bool = False
) -> SearchQuery:
    """PostgreSQL: every term (``any_term``: at least one), stemmed as English or as
    Portuguese (a document matches in its own language's stemming). ``prefix``: the last
    term may be a word's beginning."""
    text = _tsquery_text(terms, prefix=prefix, any_term=any_term)
    english = SearchQuery(Unaccent(Value(text)), config=CONFIGS[ENGLISH], search_type="raw")
    portuguese = SearchQuery(Unaccent(Value(text)), config=CONFIGS[PORTUGUESE], search_type="raw")
    return english | portuguese


def match(field: str, terms: Sequence[str], *, prefix: bool = False, any_term: bool = False) -> Q:
    """The condition "the document in ``field`` holds every term" (or one of them)."""
    if is_postgres():
        return Q(**{field: text_query(terms, prefix=prefix, any_term=any_term)})
    condition = Q()
    for term in terms:
        term_condition = Q(**{f"{field}__contains": term})
        condition = (
            (condition | term_condition) if any_term and condition else (condition & term_condition)
        )
    return condition


def rank(
    field: str, terms: Sequence[str], *, prefix: bool = False, any_term: bool = False
) -> Combinable:
    """How well the document in ``field`` matches (higher is better; 0 without a match)."""
    if is_postgres():
        return Coalesce(
            SearchRank(F(field), text_query(terms, prefix=prefix, any_term=any_term)),
            Value(0.0),
            output_field=FloatField(),
        )
    # SQLite: 1 per term, more the nearer the document's start (titles come first).
    score: Combinable = Value(0.0, output_field=FloatField())
    for term in terms:
        position = StrIndex(F(field), Value(term))
        score = score + Case(
            When(**{f"{field}__contains": term}, then=Value(1.0) / (position / 200.0 + 1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return score


def _term_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    # A word matches a term when it starts with the term's first letters: "backups" for
    # "backup", "migração" for "migracao" (compared unaccented), as stemming would.
    stems = [re.escape(term[: max(4, len(term) - 2)]) for term in terms if term]
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.UNICODE)


def highlight(text: str, terms: Sequence[str], *, width: int = 220) -> str:
    """An escaped excerpt of ``text`` around the first matching word, matches in ``<mark>``.

    Works on the normalized text for finding and on the original for showing; the two
    have the same length when every accent is a combining mark (always, in practice);
    when they do not, the start of the text is shown unmarked.
    """
    # Long texts: the excerpt comes from their first part (matches are looked for there).
    text = re.sub(r"\s+", " ", (text or "")[:4000]).strip()
    folded = normalize(text)
    pattern = _term_pattern(terms)
    if pattern is None or len(folded) != len(text):
        snippet = text[:width]
        return html.escape(snippet) + ("…" if len(text) > width else "")
    first = pattern.search(folded)
    start = 0
    if first is not None and first.start() > width // 3:
        start = text.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces: list[str] = ["…" if start else ""]
    cursor = start
    for found in pattern.finditer(folded, start, end):
        pieces.append(html.escape(text[cursor : found.start()]))
        pieces.append(f"<mark>{html.escape(text[found.start() : found.end()])}</mark>")
        cursor = found.end()
    pieces.append(html.escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return "".join(pieces)


def contains_terms(text: str, terms: Sequence[str]) -> bool:
    pattern = _term_pattern(terms)
    return bool(pattern and pattern.search(normalize(text)))
