"""Template helpers that show SLA clocks, durations and instants in the viewer's words and
time zone; the words themselves come from :mod:`sla.explain`."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from accounts.models import Tier
from sla import explain, seeded
from sla.models import SLAClock
from tickets.models import Ticket

register = template.Library()


@register.simple_tag
def sla_state(clock: SLAClock, ticket: Ticket | None = None) -> explain.Badge:
    """{code, text, title} for a clock: met, overdue, paused (and why), at risk or due."""
    return explain.clock_badge(clock, ticket=ticket or clock.ticket, now=timezone.now())


@register.filter
def duration(value: datetime.timedelta | None, style: str = "compact") -> str:
    """A timedelta as ``1h 30m`` (compact) or ``1 h 30 min`` (``|duration:"words"``)."""
    if value is None:
        return ""
    return explain.format_duration(value, style="words" if style == "words" else "compact")


@register.filter
def when(value: datetime.datetime | None, zone: str = "") -> str:
    """The one date-and-time style: ``Tue 1 Dec 2026, 13:14``, in the viewer's zone, or in
    `zone` followed by its name when that is not the viewer's."""
    if value is None:
        return ""
    return explain.format_instant(value, zone=zone or None)


@register.filter
def when_named(value: datetime.datetime | None, zone: str = "") -> str:
    """Like ``when``, always naming the zone (``Tue 1 Dec 2026, 13:14 (São Paulo time)``):
    for e-mails, whose reader may be anywhere."""
    if value is None:
        return ""
    return explain.format_instant_named(value, zone=zone or None)


@register.filter(name="seeded")
def seeded_text(value: str | None) -> str:
    """A seeded name or description (``Business hours``) in the viewer's language; any
    other text as it was typed."""
    return seeded.shown(str(value or ""))


@register.simple_tag
def plan_and_tier(plan_name: str, tier: str) -> str:
    """``Standard`` for a Standard ticket; ``Premium (Trial)`` when the tier that chose the
    plan has another name: the tier is said only when it adds something."""
    plan = seeded.shown(plan_name)
    label = tier_label(tier)
    if not label or label == plan:
        return plan
    return f"{plan} ({label})"


@register.filter
def tier_label(tier: str) -> str:
    """A tier's code (``standard``) as its name in the viewer's language (``Padrão``)."""
    return str(Tier(tier).label) if tier in Tier.values else str(tier)
