"""Ticket facts: the one narrow row per ticket that the manager dashboards aggregate.

A copy of what the ticket, its clocks and its first responder say, recomputed from
them (never patched field by field) by :func:`ticket_facts_refresh`, which the services
call after every write that changes one of those values: ticket saves
(``tickets.services``), clock changes (``sla.clocks.ticket_sync_sla``) and breach flags.
:func:`ticket_facts_rebuild` recomputes every row (migration, bulk loads, repair).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction

from sla.models import Metric

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


def _upsert(ticket_ids: list[int]) -> None:
    """Insert or replace these tickets' facts from their sources in one statement.

    Plain SQL that PostgreSQL and SQLite both run (INSERT ... SELECT ... ON CONFLICT):
    the monitor refreshes a ticket's facts with every breach it flags, and building the
    equivalent ORM query cost several times the statement itself. The tables are read
    as migrated, so the migration's backfill runs it too.
    """
    columns = ", ".join(FACT_SOURCES)
    values = ", ".join(FACT_SOURCES.values())
    updates = ", ".join(f"{column} = excluded.{column}" for column in FACT_SOURCES)
    placeholders = ", ".join(["%s"] * len(ticket_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO sla_ticketfacts (ticket_id, {columns}) "  # noqa: S608 (no user input)
            f"SELECT t.id, {values} FROM tickets_ticket t "
            "LEFT JOIN sla_slaclock fr ON fr.ticket_id = t.id AND fr.metric = %s "
            "LEFT JOIN sla_slaclock res ON res.ticket_id = t.id AND res.metric = %s "
            f"WHERE t.id IN ({placeholders}) "
            f"ON CONFLICT (ticket_id) DO UPDATE SET {updates}",
            [Metric.FIRST_RESPONSE.value, Metric.RESOLUTION.value, *ticket_ids],
        )


def _refresh(ticket_ids: list[int], *, registry: Any) -> None:
    """Recompute these tickets' facts under their tickets' row locks.

    Every ticket service locks the ticket before its clocks and facts, and so does the
    monitor, so two writers of one ticket refresh its facts one after the other, the
    second reading what the first committed (never overwriting it with what it read
    before). Taking the lock here again costs nothing when the caller holds it.
    """
    ticket_model = registry.get_model("tickets", "Ticket")
    with transaction.atomic(savepoint=False):
        list(
            ticket_model.objects.select_for_update()
            .filter(pk__in=ticket_ids)
            .order_by("pk")
            .values_list("pk")
        )
        _upsert(ticket_ids)


def ticket_facts_refresh(*, ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of these tickets from their current state (two queries)."""
    ids = sorted(set(ticket_ids))
    if ids:
        _refresh(ids, registry=global_apps)


def ticket_facts_rebuild(*, registry: Any = global_apps, batch_size: int = REBUILD_BATCH) -> int:
    """Recompute every ticket's facts in batches; returns how many tickets were done.

    Safe beside live traffic (each batch locks its tickets briefly, as a service would).
    `registry` is the app registry (a migration passes its historical one).
    """
    ticket_model = registry.get_model("tickets", "Ticket")
    done, last = 0, 0
    while True:
        ids = list(
            ticket_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        _refresh(ids, registry=registry)
        done += len(ids)
        last = ids[-1]
