"""PostgreSQL: the GIN index on the articles' search documents. SQLite: nothing."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS kb_translation_search_gin "
            "ON kb_articletranslation USING gin (search_document)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS kb_translation_search_gin")


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial"), ("helpdesk", "0002_search_unaccent")]

    operations = [migrations.RunPython(create, drop)]
