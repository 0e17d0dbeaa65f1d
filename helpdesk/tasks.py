"""Thin Celery tasks shared by every app: the outbox relay.

Tasks carry ids, never state: the message to send is the outbox row, and a task
re-run after a crash finds it sent (or claimed by another relay) and does nothing.
"""

from __future__ import annotations

from celery import shared_task

from helpdesk import outbox


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_message(*, message_id: int) -> bool:
    """Deliver one outbox message now (woken right after the COMMIT that wrote it)."""
    return outbox.outbox_deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_messages(*, message_ids: list[int]) -> int:
    """Deliver several outbox messages written in one transaction; returns how many sent."""
    return sum(outbox.outbox_deliver(message_id=message_id) for message_id in message_ids)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Deliver every due outbox message: the beat sweep nothing depends on waking."""
    return outbox.outbox_sweep()
