"""In-app notifications for staff: who, about what, when, read or not.

The text is not stored: it is rendered when shown, from `kind` and `params`, in the
viewer's language and time zone (:func:`render_text`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import zone_label
from sla.models import AlertKind


class NotificationKind(models.TextChoices):
    SLA_AT_RISK = AlertKind.AT_RISK.value, AlertKind.AT_RISK.label
    SLA_BREACHED = AlertKind.BREACHED.value, AlertKind.BREACHED.label
    TRIAL_ENDING = "trial_ending", _("Trial ending")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # What this notification is about ("clock:12:sla_breached"): the database refuses a
    # second one for the same recipient, whatever a caller gets wrong.
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_recipient_and_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.key}"

    @property
    def text(self) -> str:
        return render_text(self.kind, self.params)

    @property
    def email_text(self) -> str:
        """The text for an e-mail: its times name their zone (read away from the page)."""
        return render_text(self.kind, self.params, name_zone=True)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def _metric_name(metric: str) -> str:
    names = {"first_response": gettext("first response"), "resolution": gettext("resolution")}
    return names.get(metric, metric)


def _instant(value: str | None, *, name_zone: bool = False) -> str:
    moment = parse_datetime(value) if value else None
    if moment is None:
        return "—"
    text = formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if name_zone:
        zone = zone_label(timezone.get_current_timezone_name())
        text = gettext("%(time)s (%(zone)s)") % {"time": text, "zone": zone}
    return text


def _day(value: str | None) -> str:
    day = parse_date(value) if value else None
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def render_text(kind: str, params: dict[str, Any], *, name_zone: bool = False) -> str:
    """The notification's sentence in the active language and time zone (`name_zone`: its
    times followed by the zone's name, as e-mails show them)."""
    if kind in (NotificationKind.SLA_AT_RISK, NotificationKind.SLA_BREACHED):
        values = {
            "ticket": params.get("ticket", ""),
            "subject": params.get("subject", ""),
            "priority": params.get("priority", ""),
            "organization": params.get("organization", ""),
            "metric": _metric_name(params.get("metric", "")),
            "due": _instant(params.get("due"), name_zone=name_zone),
        }
        if kind == NotificationKind.SLA_AT_RISK:
            return (
                gettext(
                    "%(ticket)s “%(subject)s” (%(priority)s, %(organization)s) is at risk: "
                    "its %(metric)s is due %(due)s."
                )
                % values
            )
        return (
            gettext(
                "%(ticket)s “%(subject)s” (%(priority)s, %(organization)s) breached its "
                "%(metric)s target, due %(due)s."
            )
            % values
        )
    if kind == NotificationKind.TRIAL_ENDING:
        return gettext(
            "The trial of %(organization)s ends on %(date)s: time to talk about converting."
        ) % {
            "organization": params.get("organization", ""),
            "date": _day(params.get("trial_ends_on")),
        }
    return str(kind)
