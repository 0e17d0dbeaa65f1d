"""Trial reminders: account managers (else the managers) hear of trials ending soon."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Organization, Tier
from notifications.models import NotificationKind
from notifications.services import notify
from sla.models import TrialReminder


def trials_remind(now: datetime.datetime | None = None) -> int:
    """Tell account managers (else the managers) about trials ending within the next days.

    Once per organization and trial end date, kept by a unique row: run it daily, or
    twice, and nobody is told twice; an extended trial is reminded again. Returns how
    many trials were reminded.
    """
    now = now or timezone.now()
    days = datetime.timedelta(days=settings.SLA_TRIAL_REMINDER_DAYS)
    today = now.date()
    # A day of margin each side for time zones; the exact local test is below.
    candidates = (
        Organization.objects.filter(
            tier=Tier.TRIAL,
            trial_ends_on__gte=today - datetime.timedelta(days=1),
            trial_ends_on__lte=today + days + datetime.timedelta(days=1),
        )
        .exclude(
            Exists(
                TrialReminder.objects.filter(
                    organization=OuterRef("pk"), trial_ends_on=OuterRef("trial_ends_on")
                )
            )
        )
        .select_related("account_manager")
    )
    reminded = 0
    for organization in candidates:
        assert organization.trial_ends_on is not None
        local_today = now.astimezone(ZoneInfo(organization.time_zone)).date()
        if not local_today <= organization.trial_ends_on <= local_today + days:
            continue
        manager = organization.account_manager
        recipients = (
            [manager]
            if manager is not None and manager.is_active and manager.is_engineer
            else list(account_selectors.managers())
        )
        try:
            with transaction.atomic():
                TrialReminder.objects.create(
                    organization=organization,
                    trial_ends_on=organization.trial_ends_on,
                    sent_at=now,
                )
                notify(
                    recipients=recipients,
                    kind=NotificationKind.TRIAL_ENDING,
                    key=f"trial:{organization.pk}:{organization.trial_ends_on.isoformat()}",
                    at=now,
                    params={
                        "organization": organization.name,
                        "trial_ends_on": organization.trial_ends_on.isoformat(),
                    },
                )
        except IntegrityError:  # a concurrent run reminded this trial first
            continue
        reminded += 1
    return reminded
