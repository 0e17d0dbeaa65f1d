"""Keyset pages: the rows after (or before) a position in a fixed order.

No OFFSET and no COUNT: a page is "the next `size` rows after this one" in an order an
index gives, so the hundredth page costs what the first does and a huge table is never
counted. The order must end with a unique column (the id), so positions never tie.

A cursor is the position of a row (its values for the ordering's columns), encoded for a
URL. It is not secret: whatever a caller puts in it only moves where the page starts
inside the queryset they were already allowed to read.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Field, Model, Q, QuerySet

ModelT = TypeVar("ModelT", bound=Model)


class InvalidCursor(ValueError):
    """The cursor is not a position this ordering can start from."""


@dataclass(frozen=True)
class KeysetPage(Generic[ModelT]):
    items: list[ModelT]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _columns(ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """(field name, descending) for each term of an order_by()."""
    return [(term.lstrip("-"), term.startswith("-")) for term in ordering]


def _encode(row: Model, columns: list[tuple[str, bool]]) -> str:
    values = []
    for name, _descending in columns:
        value = getattr(row, name)
        values.append(value.isoformat() if isinstance(value, datetime.datetime) else value)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A real cursor (three values, an instant among them) is under 100 characters; a longer
# one is refused before decoding (a deeply nested JSON array raises RecursionError).
MAX_CURSOR_LENGTH = 256


def _decode(cursor: str, model: type[Model], columns: list[tuple[str, bool]]) -> list[Any]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(cursor[:MAX_CURSOR_LENGTH])
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as error:
        raise InvalidCursor(cursor) from error
    if not isinstance(values, list) or len(values) != len(columns):
        raise InvalidCursor(cursor)
    parsed = []
    for (name, _descending), value in zip(columns, values, strict=True):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise InvalidCursor(cursor)
        field = model._meta.get_field(name)
        if not isinstance(field, Field):
            raise TypeError(f"{name} is a relation, not a column to order by")
        try:
            value = field.to_python(value)
        except ValidationError as error:
            raise InvalidCursor(cursor) from error
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                raise InvalidCursor(cursor)
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError as error:  # year 1 or 9999 pushed past the calendar's end
                raise InvalidCursor(cursor) from error
        parsed.append(value)
    return parsed


def _after(columns: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after the position, nested so that the first column bounds the
    index scan: a >= x AND (a > x OR (b >= y AND (b > y OR c > z))), directions applied."""
    (name, descending), value = columns[-1], values[-1]
    condition = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    for (name, descending), value in zip(
        reversed(columns[:-1]), reversed(values[:-1]), strict=True
    ):
        strictly = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        at_least = Q(**{f"{name}__{'lte' if descending else 'gte'}": value})
        condition = at_least & (strictly | condition)
    return condition


def cursor_of(row: Model, *, ordering: Sequence[str]) -> str:
    """The cursor of `row`'s position in `ordering`: the page after it starts after it."""
    return _encode(row, _columns(ordering))


def _ordering(columns: list[tuple[str, bool]]) -> list[str]:
    return [f"{'-' if descending else ''}{name}" for name, descending in columns]


def _rows_after(
    queryset: QuerySet[ModelT], columns: list[tuple[str, bool]], values: list[Any], limit: int
) -> list[ModelT]:
    """Up to `limit` rows after the position, in order.

    On two columns (a value, then the id) the nested condition starts the index scan at
    the position. On more, an index can only start at the first column's value, and would
    then read every row of that group before the position (a deep page of the "priority"
    sort: all the P3 tickets before it). So the rows are found in two bounded reads, the
    rest of the position's group, then the groups after it, and fetched by id.
    """
    ordering = _ordering(columns)
    if len(columns) <= 2:
        return list(queryset.filter(_after(columns, values)).order_by(*ordering)[:limit])
    (name, descending), value = columns[0], values[0]
    ids = queryset.prefetch_related(None).order_by(*ordering).values_list("pk", flat=True)
    found = list(ids.filter(**{name: value}).filter(_after(columns[1:], values[1:]))[:limit])
    if len(found) < limit:
        later = ids.filter(**{f"{name}__{'lt' if descending else 'gt'}": value})
        found += list(later[: limit - len(found)])
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=found)}
    # A row that left the list between the two reads (closed, deleted) is skipped: the
    # page is one shorter, and the next cursor comes from the last row returned.
    return [rows[pk] for pk in found if pk in rows]


def keyset_page(
    queryset: QuerySet[ModelT],
    *,
    ordering: Sequence[str],
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage[ModelT]:
    """The `size` rows of `queryset` after the cursor `after` (or before `before`, or the
    first ones), in `ordering`, with the cursors of the pages on either side (None at an
    end). The first page is one query (plus the queryset's own prefetches); a page from a
    cursor one, or on orderings of three columns or more up to three. Raises
    InvalidCursor."""
    columns = _columns(ordering)
    if before:
        reverse = [(name, not descending) for name, descending in columns]
        rows = _rows_after(queryset, reverse, _decode(before, queryset.model, columns), size + 1)
        more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            next_cursor=_encode(items[-1], columns) if items else None,
            previous_cursor=_encode(items[0], columns) if items and more_before else None,
        )
    if after:
        rows = _rows_after(queryset, columns, _decode(after, queryset.model, columns), size + 1)
    else:
        rows = list(queryset.order_by(*ordering)[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=_encode(items[-1], columns) if len(rows) > size else None,
        previous_cursor=_encode(items[0], columns) if after and items else None,
    )
