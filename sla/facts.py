"""Ticket facts: the one narrow row per ticket that the manager dashboards aggregate.

A copy of what the ticket, its clocks and its first responder say, recomputed from
them (never patched field by field) by :func:`ticket_facts_refresh`, which the services
call once at the end of every write that changes one of those values: each ticket
service (``tickets.services``, whose clock changes go through ``sla.clocks``) and the
breach flag (``sla.clocks.clock_flag_breached``).
:func:`ticket_facts_rebuild` recomputes every row (bulk loads, the nightly check,
repair); migration ``0008`` filled the table with a frozen copy of the same statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from sla.models import Metric
from tickets.models import Ticket

logger = logging.getLogger(__name__)

# Ticket fields the facts copy: a ticket save that touches none of them leaves them alone.
TICKET_FIELDS = frozenset(
    {
        "organization",
        "tier",
        "priority",
        "product",
        "assignee",
        "created_at",
        "solved_at",
        "first_responded_at",
    }
)
# Each facts column and the SQL that reads it from the ticket `t`, its first-response
# clock `fr` and its resolution clock `res`. The first response is the public staff
# reply made at the ticket's first_responded_at.
FACT_SOURCES = {
    "organization_id": "t.organization_id",
    "tier": "t.tier",
    "priority": "t.priority",
    "product_id": "t.product_id",
    "assignee_id": "t.assignee_id",
    "created_at": "t.created_at",
    "solved_at": "t.solved_at",
    "first_responder_id": (
        "(SELECT c.author_id FROM tickets_comment c WHERE c.ticket_id = t.id AND c.by_staff"
        " AND c.is_public AND c.created_at = t.first_responded_at ORDER BY c.id LIMIT 1)"
    ),
    "first_response_target": "fr.target",
    "first_response_met_at": "fr.met_at",
    "first_response_breached_at": "fr.breached_at",
    "first_response_business_time": "fr.business_time_to_meet",
    "resolution_breached_at": "res.breached_at",
}
REBUILD_BATCH = 2000
# Ids per statement: well under SQLite's 32,766 variables whatever the batch size.
STATEMENT_IDS = 1000


def _upsert(ticket_ids: list[int]) -> int:
    """Insert or replace these tickets' facts from their sources; returns how many rows
    were inserted or changed (a row already right is left untouched).

    Plain SQL that PostgreSQL and SQLite both run (INSERT ... SELECT ... ON CONFLICT):
    the monitor refreshes a ticket's facts with every breach it flags, and building the
    equivalent ORM query cost several times the statement itself.
    """
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    columns = ", ".join(FACT_SOURCES)
    values = ", ".join(FACT_SOURCES.values())
    updates = ", ".join(f"{column} = excluded.{column}" for column in FACT_SOURCES)
    changed = " OR ".join(
        f"sla_ticketfacts.{column} {distinct} excluded.{column}" for column in FACT_SOURCES
    )
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ticket_ids), STATEMENT_IDS):
            chunk = ticket_ids[start : start + STATEMENT_IDS]
            cursor.execute(
                f"INSERT INTO sla_ticketfacts (ticket_id, {columns}) "  # noqa: S608 (no input)
                f"SELECT t.id, {values} FROM tickets_ticket t "
                "LEFT JOIN sla_slaclock fr ON fr.ticket_id = t.id AND fr.metric = %s "
                "LEFT JOIN sla_slaclock res ON res.ticket_id = t.id AND res.metric = %s "
                f"WHERE t.id IN ({', '.join(['%s'] * len(chunk))}) "
                f"ON CONFLICT (ticket_id) DO UPDATE SET {updates} WHERE {changed}",
                [Metric.FIRST_RESPONSE.value, Metric.RESOLUTION.value, *chunk],
            )
            written += cursor.rowcount
    return written


def ticket_facts_refresh(*, ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of these tickets from their current state (one statement).

    The caller holds the tickets' row locks, as every ticket service does before it
    touches the ticket's clocks or facts (and so does the monitor before a flag): two
    writers of one ticket therefore refresh its facts one after the other, the second
    reading what the first committed, never overwriting it with what it read before.
    """
    ids = sorted(set(ticket_ids))
    if ids:
        _upsert(ids)


@dataclass(frozen=True)
class RebuildResult:
    tickets: int  # tickets whose facts were recomputed
    repaired: int  # rows that were missing or differed from their sources


def ticket_facts_rebuild(*, batch_size: int = REBUILD_BATCH) -> RebuildResult:
    """Recompute every ticket's facts, a batch of tickets per transaction.

    Safe beside live traffic: each batch locks its tickets briefly, as a service would.
    Rows found missing or wrong are counted: the services keep the facts in step, so
    any is a sign that something wrote tickets, clocks or replies around them.
    """
    done = repaired = last = 0
    while True:
        with transaction.atomic():
            # The next batch, locked as a service would lock each of its tickets.
            ids = list(
                Ticket.objects.select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return RebuildResult(tickets=done, repaired=repaired)
            repaired += _upsert(ids)
        done += len(ids)
        last = ids[-1]


def ticket_facts_check() -> RebuildResult:
    """The nightly check: recompute every ticket's facts, and warn when some were missing
    or wrong (they are repaired either way)."""
    result = ticket_facts_rebuild()
    if result.repaired:
        logger.warning(
            "Ticket facts: %d of %d rows were missing or stale and were repaired; something "
            "changed tickets, clocks or replies without the services.",
            result.repaired,
            result.tickets,
        )
    else:
        logger.info("Ticket facts: all %d rows match their sources.", result.tickets)
    return result
