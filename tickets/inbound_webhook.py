"""Inbound webhooks: django-anymail parses each provider's post (Mailgun, SendGrid,
Postmark, Amazon SES, ...) and authenticates it (HTTP basic auth with
``INBOUND_WEBHOOK_SECRET``, plus the provider's signature where it has one); the
message then goes through the one inbound entry point."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailInboundEvent, inbound
from django.dispatch import receiver

from tickets.inbound import inbound_receive


@receiver(inbound, dispatch_uid="tickets.inbound_webhook")
def receive_inbound_webhook(
    sender: object, event: AnymailInboundEvent, esp_name: str, **kwargs: Any
) -> None:
    message = event.message
    raw = message.as_bytes() if message is not None else b""
    # Raises only if the message could not be kept: the provider gets an error and retries.
    inbound_receive(raw=raw, source=f"webhook:{esp_name.lower()}"[:40])
