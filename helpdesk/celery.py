"""The Celery application: configured from Django settings (CELERY_* names)."""

import os
from datetime import timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks()


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The periodic tasks. Product behaviour, so versioned here in code.

    The outbox is swept every ``OUTBOX_SWEEP_SECONDS`` (default 5), so a message whose
    wake-up was lost still leaves within seconds. The breach monitor runs every
    ``SLA_MONITOR_INTERVAL_SECONDS`` (default 60); a run
    not started within one interval expires, as the next one covers it. Trial reminders
    go out daily; every night the dashboards' ticket facts are checked against their
    sources (and repaired). The e-mail channel's IMAP mailbox is read every
    ``IMAP_POLL_SECONDS`` (default 60; a no-op while ``IMAP_HOST`` is empty).
    """
    from django.conf import settings

    interval = timedelta(seconds=settings.SLA_MONITOR_INTERVAL_SECONDS)
    sweep = timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
    imap = timedelta(seconds=settings.IMAP_POLL_SECONDS)
    return {
        "outbox-sweep": {
            "task": "helpdesk.tasks.sweep_outbox",
            "schedule": sweep,
            "options": {"expires": sweep.total_seconds()},
        },
        "sla-breach-monitor": {
            "task": "sla.tasks.run_breach_monitor",
            "schedule": interval,
            "options": {"expires": interval.total_seconds()},
        },
        "sla-trial-reminders": {
            "task": "sla.tasks.remind_ending_trials",
            "schedule": crontab(hour=7, minute=0),
        },
        "inbound-imap-poll": {
            "task": "tickets.tasks.poll_inbound_mailbox",
            "schedule": imap,
            "options": {"expires": imap.total_seconds()},
        },
        "sla-ticket-facts-check": {
            "task": "sla.tasks.check_ticket_facts",
            "schedule": crontab(hour=3, minute=30),
        },
    }


@app.on_after_configure.connect
def install_beat_schedule(sender: Celery, **kwargs: Any) -> None:
    # Settings are read once Celery reads its configuration, not at import time.
    sender.conf.beat_schedule = beat_schedule()


def ensure_broker_folders() -> None:
    """Create the file-system broker's folders (a no-op for other brokers)."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            os.makedirs(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]), exist_ok=True)
