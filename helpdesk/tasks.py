"""Thin Celery tasks shared by every app."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(*, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> None:
    """Send one e-mail to one address; a failure retries with backoff and blocks nothing else."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to], headers=headers or {})
    message.send()
