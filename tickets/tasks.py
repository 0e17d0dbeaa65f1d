"""Thin Celery tasks of the tickets app: the IMAP poll of the e-mail channel."""

from __future__ import annotations

from celery import shared_task

from tickets import inbound_imap


@shared_task(acks_late=True, ignore_result=True)
def poll_inbound_mailbox() -> int:
    """Read the IMAP mailbox's waiting messages into the e-mail channel (beat)."""
    return inbound_imap.imap_poll()
