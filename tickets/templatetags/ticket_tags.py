"""How timeline events read, in the viewer's language."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sla import seeded
from sla.models import Metric
from tickets.models import Attachment, Event, EventKind, Status
from tickets.thumbnails import can_preview

register = template.Library()


def _status(value: str | None) -> str:
    return str(Status(value).label) if value in Status.values else str(value or "—")


def _metric(value: str | None) -> str:
    return str(Metric(value).label) if value in Metric.values else str(value or "")


def _when(value: str | None) -> str:
    if not value:
        return "—"
    moment = datetime.datetime.fromisoformat(value)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@register.filter
def event_text(event: Event) -> str:
    """One sentence for a timeline event."""
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        return _("Ticket created (priority %(priority)s).") % {"priority": data.get("priority")}
    if kind == EventKind.PLAN_APPLIED:
        return _("Support plan applied: %(plan)s.") % {"plan": seeded.shown(data.get("plan") or "")}
    if kind == EventKind.STATUS_CHANGED:
        return _("Status changed from %(from)s to %(to)s.") % {
            "from": _status(data.get("from")),
            "to": _status(data.get("to")),
        }
    if kind in (EventKind.PRIORITY_OVERRIDDEN, EventKind.PRIORITY_RECLASSIFIED):
        text = (
            _("Priority overridden from %(from)s to %(to)s: %(reason)s")
            if kind == EventKind.PRIORITY_OVERRIDDEN
            else _("Priority re-classified from %(from)s to %(to)s: %(reason)s")
        )
        return text % {"from": data.get("from"), "to": data.get("to"), "reason": data.get("reason")}
    if kind == EventKind.ASSIGNEE_CHANGED:
        return _("Assignee changed from %(from)s to %(to)s.") % {
            "from": data.get("from") or _("nobody"),
            "to": data.get("to") or _("nobody"),
        }
    if kind == EventKind.REPLY_ADDED:
        return _("Public reply added.")
    if kind == EventKind.NOTE_ADDED:
        return _("Internal note added.")
    if kind == EventKind.SLA_STARTED:
        return _("%(metric)s clock started; due %(due)s.") % {
            "metric": _metric(data.get("metric")),
            "due": _when(data.get("due")),
        }
    if kind == EventKind.SLA_RECOMPUTED:
        return _("%(metric)s deadline recomputed for %(priority)s: %(from)s → %(to)s.") % {
            "metric": _metric(data.get("metric")),
            "priority": data.get("priority"),
            "from": _when(data.get("from")),
            "to": _when(data.get("to")),
        }
    if kind == EventKind.SLA_MET:
        text = _("%(metric)s target met.") if data.get("on_time") else _("%(metric)s met late.")
        return text % {"metric": _metric(data.get("metric"))}
    if kind == EventKind.SLA_PAUSED and data.get("reason") == "merged":
        return _("%(metric)s clock stopped: the ticket was merged into another.") % {
            "metric": _metric(data.get("metric"))
        }
    if kind == EventKind.SLA_PAUSED:
        text = (
            _("%(metric)s clock stopped: the ticket is solved or closed.")
            if data.get("reason") == "finished"
            else _("%(metric)s clock paused while waiting on the customer.")
        )
        return text % {"metric": _metric(data.get("metric"))}
    if kind == EventKind.SLA_RESUMED:
        return _("%(metric)s clock resumed; now due %(due)s.") % {
            "metric": _metric(data.get("metric")),
            "due": _when(data.get("due")),
        }
    if kind == EventKind.SLA_AT_RISK:
        return _("%(metric)s target at risk; due %(due)s.") % {
            "metric": _metric(data.get("metric")),
            "due": _when(data.get("due")),
        }
    if kind == EventKind.SLA_BREACHED:
        return _("%(metric)s target breached (was due %(due)s).") % {
            "metric": _metric(data.get("metric")),
            "due": _when(data.get("due")),
        }
    if kind == EventKind.MERGED_INTO:
        return _("Merged into #%(ticket)s; the conversation continues there.") % {
            "ticket": data.get("into")
        }
    if kind == EventKind.MERGED_FROM:
        return _("Ticket #%(ticket)s (“%(subject)s”) was merged into this one.") % {
            "ticket": data.get("from"),
            "subject": data.get("subject", ""),
        }
    if kind == EventKind.LINKED:
        return _("Linked with #%(ticket)s.") % {"ticket": data.get("other")}
    if kind == EventKind.UNLINKED:
        return _("Link with #%(ticket)s removed.") % {"ticket": data.get("other")}
    if kind == EventKind.TAGS_CHANGED:
        return _("Tags changed: added %(added)s; removed %(removed)s.") % {
            "added": ", ".join(data.get("added") or []) or "—",
            "removed": ", ".join(data.get("removed") or []) or "—",
        }
    return str(EventKind(kind).label) if kind in EventKind.values else kind


@register.filter
def previewable(attachment: Attachment) -> bool:
    """Whether the page shows a thumbnail of this attachment."""
    return can_preview(attachment)
