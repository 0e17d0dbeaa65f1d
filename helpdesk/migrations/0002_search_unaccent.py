"""PostgreSQL: the `unaccent` extension and an IMMUTABLE wrapper the search documents and
queries use (helpdesk/search.py), so 'migração' and 'migracao' are one word. SQLite: nothing."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION helpdesk_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""
DROP = "DROP FUNCTION IF EXISTS helpdesk_unaccent(text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
