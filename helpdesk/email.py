"""E-mail to one user: rendered in their language and time zone, written to the outbox.

Every message has a plain-text part and, when the template has one, an HTML part
(``<template>.html``, escaped like any page; it extends ``email/base.html``). Every
message says it was sent automatically (``Auto-Submitted: auto-generated``, RFC 3834),
so auto-responders do not answer it. Links are absolute, built from ``SITE_URL``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from accounts.models import User
from helpdesk.outbox import outbox_enqueue

AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def site_url(path: str = "/") -> str:
    """The absolute address of `path` on the site users reach (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path


def render_html(template: str, context: dict[str, Any]) -> str:
    """The HTML part from `template`, or "" when there is none (the message is text only)."""
    try:
        html = get_template(template)
    except TemplateDoesNotExist:
        return ""
    return html.render(context)


def email_message(
    *,
    recipient: User,
    template: str,
    context: dict[str, Any],
    path: str,
    key: str,
    headers: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The outbox key and payload of one e-mail to `recipient` (see :func:`email_user`),
    rendered in their language and time zone, without writing it."""
    with (
        translation.override(recipient.language or settings.LANGUAGE_CODE),
        timezone.override(recipient.effective_time_zone),
    ):
        context = {
            **context,
            "recipient": recipient,
            "url": site_url(path),
            "site_url": site_url(),
            "zone": recipient.effective_time_zone,
        }
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        html = render_html(f"{template}.html", {**context, "subject": subject})
    payload: dict[str, Any] = {
        "to": [recipient.email],
        "subject": subject,
        "body": body,
        "headers": {**AUTOMATIC, **(headers or {})},
    }
    if html:
        payload["html"] = html
    return f"{key}:to:{recipient.pk}", payload


def email_user(
    *,
    recipient: User,
    template: str,
    context: dict[str, Any],
    path: str,
    key: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` for the
    recipient and write them to the outbox, in the caller's transaction, once per `key`
    (what the message is about, e.g. ``comment:12``; the recipient is added here).

    `path` is the page the message links to; it becomes an absolute `url` in the context.
    Everything is rendered in the recipient's language and time zone (`zone` in the
    context is that zone's name, for times that name it).
    """
    outbox_key, payload = email_message(
        recipient=recipient,
        template=template,
        context=context,
        path=path,
        key=key,
        headers=headers,
    )
    outbox_enqueue(key=outbox_key, payload=payload)
