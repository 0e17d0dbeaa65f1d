"""The monitor through a real Celery worker and the Redis broker, not only eagerly."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from helpdesk.celery import app as celery_app
from sla import tasks
from sla.models import MonitorHeartbeat, SLAClock
from tests.faults.stack import database_url_of_the_tests, wait_for
from tests.sla.monitor_helpers import Staff, premium_p1

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


def test_a_real_worker_runs_the_monitor_sent_through_redis(seeded, tmp_path):
    staff = Staff()
    filed = timezone.now() - datetime.timedelta(minutes=30)  # a Premium P1, 15 min overdue
    ticket = premium_p1(staff, at=filed, subject="Worker end to end")
    clock = SLAClock.objects.get(ticket=ticket)

    queue = f"monitor-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": "consolemail://",
        "CONN_MAX_AGE": "0",
    }
    # The worker also consumes the default queue, where the monitor's e-mails go.
    command = [str(CELERY), "-A", "helpdesk", "worker", "--pool", "solo", "--loglevel", "INFO"]
    command += ["-Q", f"{queue},celery", "--without-gossip", "--without-mingle"]
    with log.open("w") as output:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(lambda: "ready" in log.read_text(), timeout=60, what="the worker to start")
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False  # this once, really through the broker
        try:
            tasks.run_breach_monitor.apply_async(queue=queue)
        finally:
            celery_app.conf.task_always_eager = eager

        def breached() -> bool:
            clock.refresh_from_db()
            return clock.breached_at is not None

        wait_for(breached, timeout=60, what="the worker to flag the breach")
        assert clock.breached_at == clock.due_at
        # The flag commits before the run ends and records its heartbeat: wait for both.
        wait_for(
            lambda: MonitorHeartbeat.objects.filter(last_breached=1).exists(),
            timeout=30,
            what="the run's heartbeat",
        )
        # The worker sent the e-mails too, each as its own task through the broker.
        wait_for(
            lambda: log.read_text().count(f"Subject: [{ticket.reference}] SLA breached") >= 2,
            timeout=60,
            what="the breach e-mails",
        )
        text = log.read_text()
        assert f"To: {staff.mia.email}" in text and f"To: {staff.adam.email}" in text
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        with celery_app.connection_for_write() as broker:  # leave no message behind
            broker.default_channel.queue_delete(queue)
