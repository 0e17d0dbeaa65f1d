"""Template helpers that show an SLA clock's state in the viewer's words and time zone."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sla.models import SLAClock, format_duration

register = template.Library()


@register.simple_tag
def sla_state(clock: SLAClock) -> dict[str, str]:
    """{code, text, title} for a clock: met, breached, paused, at risk or due at a time."""
    now = timezone.now()
    code = clock.state_at(now)
    due = timezone.localtime(clock.due_at) if clock.due_at else None
    due_text = formats.date_format(due, "D H:i") if due else ""
    if code == "met":
        text = _("Met")
    elif code == "breached":
        text = _("Overdue") if clock.met_at is None else _("Met late")
    elif code == "paused":
        text = _("Paused")
    elif code == "at_risk":
        text = _("Due soon: %(due)s") % {"due": due_text}
    else:
        text = _("Due %(due)s") % {"due": due_text}
    title = _("Target %(target)s") % {"target": format_duration(clock.target)}
    return {"code": code, "text": text, "title": title}


@register.filter
def duration(value: timedelta | None) -> str:
    """A timedelta as `1 h 30 min`."""
    return format_duration(value) if value is not None else ""
