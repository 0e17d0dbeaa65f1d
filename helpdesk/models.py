"""The outbox: every message the product sends, written in the transaction that causes it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One message to deliver (an e-mail now; webhooks later use the same path).

    Written in the same transaction as the change that causes it, under an idempotency
    key the database keeps unique, so a retried service or a doubled request adds nothing.
    The relay (:mod:`helpdesk.outbox`) delivers due rows, retries with backoff and gives
    up loudly after a limit; an administrator can send a failed one again.
    """

    kind = models.CharField(_("kind"), max_length=20, default="email")
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the relay may (next) try it; a claim moves it out by a lease, so a relay that
    # dies mid-delivery leaves the row due again once the lease runs out.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="outbox_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"

    @property
    def recipient(self) -> str:
        return ", ".join(self.payload.get("to", []))

    @property
    def subject(self) -> str:
        return str(self.payload.get("subject", ""))
