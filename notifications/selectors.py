"""Reads on notifications: a user's list and unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their ticket (for the link)."""
    return Notification.objects.filter(recipient=user)


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (the bell's figure)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
