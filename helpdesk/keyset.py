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


def _decode(cursor: str, model: type[Model], columns: list[tuple[str, bool]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as error:
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
    end). One query (plus the queryset's own prefetches). Raises InvalidCursor."""
    columns = _columns(ordering)
    if before:
        reverse = [(name, not descending) for name, descending in columns]
        position = _decode(before, queryset.model, columns)
        ordered = queryset.filter(_after(reverse, position)).order_by(
            *[f"{'-' if descending else ''}{name}" for name, descending in reverse]
        )
        rows = list(ordered[: size + 1])
        more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            next_cursor=_encode(items[-1], columns) if items else None,
            previous_cursor=_encode(items[0], columns) if items and more_before else None,
        )
    ordered = queryset.order_by(*ordering)
    if after:
        ordered = ordered.filter(_after(columns, _decode(after, queryset.model, columns)))
    rows = list(ordered[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=_encode(items[-1], columns) if len(rows) > size else None,
        previous_cursor=_encode(items[0], columns) if after and items else None,
    )
