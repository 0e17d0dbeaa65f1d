"""Thin Celery tasks for the SLA monitor: they call :mod:`sla.monitor`, :mod:`sla.trials`
and :mod:`sla.facts` and report.

`acks_late`: a worker that dies mid-run leaves the message to be redelivered, and the
rerun is harmless because every flag is a conditional update in the database.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from sla import facts, monitor, trials


@shared_task(acks_late=True, ignore_result=True)
def run_breach_monitor() -> dict[str, Any]:
    """Flag the clocks that crossed their warning or due time since the last run."""
    return monitor.run_monitor().as_dict()


@shared_task(acks_late=True, ignore_result=True)
def remind_ending_trials() -> int:
    """Tell account managers about trials ending soon (once per trial and end date)."""
    return trials.trials_remind()


@shared_task(acks_late=True, ignore_result=True)
def check_ticket_facts() -> dict[str, int]:
    """Recompute every ticket's dashboard facts, repairing and reporting any that drifted."""
    result = facts.ticket_facts_check()
    return {"tickets": result.tickets, "repaired": result.repaired}
