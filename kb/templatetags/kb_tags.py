"""Template tags other apps' templates use to show knowledge-base parts."""

from __future__ import annotations

import uuid

from django import template

register = template.Library()


@register.inclusion_tag("kb/_suggestion_panel.html")
def article_suggestion_panel(subject_field_id: str = "id_subject") -> dict[str, str]:
    """The new-ticket form's "these articles may answer it" panel: a fresh token ties
    the form's suggestions, clicks and (by time) the ticket that follows together."""
    return {"token": str(uuid.uuid4()), "subject_field_id": subject_field_id}
