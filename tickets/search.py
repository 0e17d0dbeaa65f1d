"""The tickets' side of the global search: their search documents and who may match what.

`ticket_search_refresh` rebuilds tickets' documents; the ticket services call it at the
end of `ticket_create` and `comment_add` (the text a search reads changes there only).
`ticket_search_matches` is the permitted part of a search: it starts from
`tickets_visible_to(user)` and a customer's query reads only the public document, so
neither a match, a rank, a count nor a snippet can come from what they may not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable
from django.utils import timezone

from accounts.models import User
from helpdesk import search
from tickets.models import Comment, Ticket, TicketSearchDocument
from tickets.selectors import tickets_visible_to

# One statement per batch of tickets: subject (weight A), description (B) and public
# replies (C) into the public document, internal notes into the internal one, each with
# the stemming of the ticket's language (%s arrays: ids, text search configurations).
REFRESH_SQL = """
INSERT INTO tickets_ticketsearchdocument
    (ticket_id, language, public_document, internal_document, updated_at)
SELECT t.id, l.language,
    setweight(to_tsvector(l.config::regconfig, helpdesk_unaccent(t.subject)), 'A')
    || setweight(to_tsvector(l.config::regconfig, helpdesk_unaccent(t.description)), 'B')
    || setweight(to_tsvector(l.config::regconfig, helpdesk_unaccent(coalesce(
        (SELECT string_agg(c.body, ' ' ORDER BY c.id) FROM tickets_comment c
         WHERE c.ticket_id = t.id AND c.is_public), ''))), 'C'),
    setweight(to_tsvector(l.config::regconfig, helpdesk_unaccent(coalesce(
        (SELECT string_agg(c.body, ' ' ORDER BY c.id) FROM tickets_comment c
         WHERE c.ticket_id = t.id AND NOT c.is_public), ''))), 'D'),
    %s
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS l(id, language, config)
JOIN tickets_ticket t ON t.id = l.id
ON CONFLICT (ticket_id) DO UPDATE SET
    language = EXCLUDED.language,
    public_document = EXCLUDED.public_document,
    internal_document = EXCLUDED.internal_document,
    updated_at = EXCLUDED.updated_at
"""


def ticket_language(ticket: Ticket) -> str:
    """The language a ticket is written in: from its text, else its requester's setting."""
    default = search.PORTUGUESE if ticket.requester.language == "pt-br" else search.ENGLISH
    return search.detect_language(f"{ticket.subject}\n{ticket.description}", default=default)


def ticket_search_refresh(
    *, ticket_ids: Iterable[int] = (), new_tickets: Sequence[Ticket] | None = None
) -> None:
    """Rebuild these tickets' search documents from their current text and comments.

    `new_tickets` are tickets just created, with their requester loaded: they are not
    read again and have no comments yet. Others are read by `ticket_ids`. One write for
    all of them.
    """
    tickets = new_tickets
    if tickets is None:
        tickets = list(
            Ticket.objects.filter(pk__in=list(ticket_ids))
            .select_related("requester")
            .only("pk", "subject", "description", "requester__language")
        )
    if not tickets:
        return
    languages = [ticket_language(ticket) for ticket in tickets]
    if search.is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                REFRESH_SQL,
                [
                    timezone.now(),
                    [ticket.pk for ticket in tickets],
                    languages,
                    [search.CONFIGS[language] for language in languages],
                ],
            )
        return
    comments: dict[int, tuple[list[str], list[str]]] = {}
    if new_tickets is None:
        for ticket_id, body, is_public in Comment.objects.filter(
            ticket_id__in=[ticket.pk for ticket in tickets]
        ).values_list("ticket_id", "body", "is_public"):
            public, internal = comments.setdefault(ticket_id, ([], []))
            (public if is_public else internal).append(body)
    documents = []
    for ticket, language in zip(tickets, languages, strict=True):
        public, internal = comments.get(ticket.pk, ([], []))
        documents.append(
            TicketSearchDocument(
                ticket_id=ticket.pk,
                language=language,
                public_document=search.plain_document(
                    [ticket.subject, ticket.description, *public]
                ),
                internal_document=search.plain_document(internal),
                updated_at=timezone.now(),
            )
        )
    TicketSearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["language", "public_document", "internal_document", "updated_at"],
    )


def ticket_search_matches(
    *, user: User, terms: Sequence[str], prefix: bool = False
) -> QuerySet[TicketSearchDocument]:
    """The search documents of the tickets this user may see that hold every term,
    annotated with ``rank``. Staff match internal notes too; customers never do."""
    documents = TicketSearchDocument.objects.all()
    if user.is_authenticated and user.is_engineer:
        condition = search.match("public_document", terms, prefix=prefix) | search.match(
            "internal_document", terms, prefix=prefix
        )
    else:
        documents = documents.filter(ticket_id__in=tickets_visible_to(user).values("pk"))
        condition = search.match("public_document", terms, prefix=prefix)
    return documents.filter(condition).annotate(
        rank=ticket_search_rank(user=user, terms=terms, prefix=prefix)
    )


def ticket_search_rank(*, user: User, terms: Sequence[str], prefix: bool = False) -> Combinable:
    """How well a ticket's document matches, from what this user may search: the public
    document, and for staff the internal notes too."""
    score = search.rank("public_document", terms, prefix=prefix)
    if user.is_authenticated and user.is_engineer:
        score = score + search.rank("internal_document", terms, prefix=prefix)
    return score


def ticket_search_texts(*, tickets: Sequence[Ticket], viewer: User) -> dict[int, str]:
    """Per ticket, the text a snippet may quote: description and public replies, and for
    staff the internal notes too (one query for the page)."""
    texts = {ticket.pk: [ticket.description] for ticket in tickets}
    comments = Comment.objects.filter(ticket_id__in=list(texts))
    if not viewer.is_engineer:
        comments = comments.filter(is_public=True)
    for ticket_id, body in comments.order_by("pk").values_list("ticket_id", "body"):
        texts[ticket_id].append(body)
    return {pk: "\n".join(parts) for pk, parts in texts.items()}


def ticket_for_reference(*, user: User, reference: str) -> Ticket | None:
    """The ticket ``#1042`` names, if this user may see it (else None, telling nothing)."""
    digits = reference.strip().lstrip("#")
    if not digits.isdigit() or len(digits) > 12:
        return None
    return tickets_visible_to(user).filter(Q(pk=int(digits))).first()
