"""How tag names are written: pure text rules shared by the tag services and the queue's
filter (no Django, no models)."""

from __future__ import annotations

import re
from collections.abc import Iterable

TAG_MAX_LENGTH = 50
_SEPARATORS = re.compile(r"[,\n]+")
_NOT_ALLOWED = re.compile(r"[^\w\-.]+")


def normalize_tag(name: str) -> str:
    """`Billing issue ` -> `billing-issue`: lower case, spaces to hyphens, only letters,
    digits, `-`, `_` and `.` (any script's letters), at most 50 characters."""
    text = "-".join(name.strip().lower().split())
    return _NOT_ALLOWED.sub("", text).strip("-.")[:TAG_MAX_LENGTH]


def parse_tags(values: str | Iterable[str]) -> list[str]:
    """Tag names from text (comma or line separated) or a list, normalized, each once,
    in the order given."""
    items = [values] if isinstance(values, str) else list(values)
    names: dict[str, None] = {}
    for item in items:
        for part in _SEPARATORS.split(str(item)):
            name = normalize_tag(part)
            if name:
                names[name] = None
    return list(names)
