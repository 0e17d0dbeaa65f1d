"""E-mail to one user: rendered in their language and time zone, written to the outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from helpdesk.outbox import outbox_enqueue


def email_user(
    *,
    recipient: User,
    template: str,
    context: dict[str, Any],
    path: str,
    key: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` for the recipient and write
    them to the outbox, in the caller's transaction, once per `key` (what the message is
    about, e.g. ``comment:12``; the recipient is added here).

    `path` is the page the message links to; it becomes an absolute `url` in the context.
    """
    with (
        translation.override(recipient.language or settings.LANGUAGE_CODE),
        timezone.override(recipient.effective_time_zone),
    ):
        context = {
            **context,
            "recipient": recipient,
            "url": settings.SITE_URL.rstrip("/") + path,
        }
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    outbox_enqueue(
        key=f"{key}:to:{recipient.pk}",
        payload={
            "to": [recipient.email],
            "subject": " ".join(subject.split()),
            "body": body,
            "headers": headers or {},
        },
    )
