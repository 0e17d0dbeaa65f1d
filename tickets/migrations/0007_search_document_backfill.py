"""Fill the search documents of the tickets that exist, a batch per transaction.

The statement and the rules are a frozen copy of tickets.search at this schema (a later
change there must not change what this migration does); `python manage.py
search_reindex` rebuilds with the current rules at any time.
"""

from django.db import migrations, transaction
from django.utils import timezone

from helpdesk.search import CONFIGS, ENGLISH, PORTUGUESE, detect_language, plain_document

BATCH = 2000
FILL = """
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
ON CONFLICT (ticket_id) DO NOTHING
"""


def backfill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Comment = apps.get_model("tickets", "Comment")
    Document = apps.get_model("tickets", "TicketSearchDocument")
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    last = 0
    while True:
        rows = list(
            Ticket.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "subject", "description", "requester__language")[:BATCH]
        )
        if not rows:
            return
        languages = [
            detect_language(
                f"{subject}\n{description}",
                default=PORTUGUESE if language == "pt-br" else ENGLISH,
            )
            for _pk, subject, description, language in rows
        ]
        ids = [row[0] for row in rows]
        with transaction.atomic(using=connection.alias):
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute(
                        FILL,
                        [timezone.now(), ids, languages, [CONFIGS[x] for x in languages]],
                    )
            else:
                comments = {}
                for ticket_id, body, is_public in Comment.objects.filter(
                    ticket_id__in=ids
                ).values_list("ticket_id", "body", "is_public"):
                    comments.setdefault(ticket_id, ([], []))[0 if is_public else 1].append(body)
                Document.objects.bulk_create(
                    [
                        Document(
                            ticket_id=pk,
                            language=language,
                            public_document=plain_document(
                                [subject, description, *comments.get(pk, ([], []))[0]]
                            ),
                            internal_document=plain_document(comments.get(pk, ([], []))[1]),
                        )
                        for (pk, subject, description, _l), language in zip(rows, languages)
                    ],
                    ignore_conflicts=True,
                )
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0006_search_document")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
