"""Queue text search: a trigram index on the subject (PostgreSQL only).

Django's `icontains` reads `UPPER(subject::text) LIKE UPPER('%...%')`; a GIN
trigram index on that expression serves it. SQLite has no such index and does
not need one at development sizes, so this migration does nothing there.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket '
    'USING gin ((UPPER("subject"::text)) gin_trgm_ops)',
]
DROP = ["DROP INDEX IF EXISTS ticket_subject_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_queue")]

    operations = [migrations.RunPython(forwards, backwards)]
