"""Bulk INSERT of plain rows, for the few writes that add thousands of rows in one
transaction (a breach-monitor batch's notifications and e-mails).

``bulk_create`` builds a model instance per row and prepares every field of it; for
rows whose values are already plain (ids, strings, instants, JSON-able dicts) that
costs several times the statement itself. :func:`insert_rows` writes them with one
multi-row ``INSERT ... RETURNING id`` per chunk (PostgreSQL, and SQLite 3.35+),
adapting instants and JSON as the model's fields would.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

# PostgreSQL's protocol allows 65,535 parameters per statement; Django's SQLite backend 999.
_MAX_PARAMETERS = 60_000


def _adapt(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder)
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Mapping[str, object]]
) -> list[int]:
    """Insert `rows` (each a mapping of the `columns`, by field name; omitted fields must be
    nullable) into `model`'s table and return their new ids, in order. No signals, no
    defaults: the caller gives every value it wants stored."""
    if not rows:
        return []
    fields: list[models.Field[Any, Any]] = []
    for name in columns:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), name  # a column, not a reverse relation
        fields.append(field)
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    limit = connection.features.max_query_params or _MAX_PARAMETERS
    per_statement = max(1, limit // len(fields))
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (no input in the SQL)
                f"{', '.join([one_row] * len(chunk))} RETURNING id",
                [_adapt(field, row[field.name]) for row in chunk for field in fields],
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids
