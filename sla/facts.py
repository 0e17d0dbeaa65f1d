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
from django.db import transaction
from django.db.models import FilteredRelation, OuterRef, Q, Subquery

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
_COPIED = {
    # facts field: value from the ticket query below
    "organization_id": "organization_id",
    "tier": "tier",
    "priority": "priority",
    "product_id": "product_id",
    "assignee_id": "assignee_id",
    "created_at": "created_at",
    "solved_at": "solved_at",
    "first_responder_id": "first_responder",
    "first_response_target": "first_response__target",
    "first_response_met_at": "first_response__met_at",
    "first_response_breached_at": "first_response__breached_at",
    "first_response_business_time": "first_response__business_time_to_meet",
    "resolution_breached_at": "resolution__breached_at",
}
REBUILD_BATCH = 2000


def _facts_for(ticket_ids: list[int], *, registry: Any) -> list[Any]:
    """Unsaved TicketFacts for these tickets, read from the sources in one query."""
    ticket_model = registry.get_model("tickets", "Ticket")
    comment_model = registry.get_model("tickets", "Comment")
    facts_model = registry.get_model("sla", "TicketFacts")
    # The first response is the public staff reply made at the ticket's first_responded_at.
    first_reply_author = (
        comment_model.objects.filter(
            ticket=OuterRef("pk"),
            by_staff=True,
            is_public=True,
            created_at=OuterRef("first_responded_at"),
        )
        .order_by("pk")
        .values("author_id")[:1]
    )
    rows = (
        ticket_model.objects.filter(pk__in=ticket_ids)
        .annotate(
            first_response=FilteredRelation(
                "clocks", condition=Q(clocks__metric=Metric.FIRST_RESPONSE)
            ),
            resolution=FilteredRelation("clocks", condition=Q(clocks__metric=Metric.RESOLUTION)),
            first_responder=Subquery(first_reply_author),
        )
        .values("pk", *_COPIED.values())
        .order_by()
    )
    return [
        facts_model(ticket_id=row["pk"], **{name: row[source] for name, source in _COPIED.items()})
        for row in rows
    ]


def _upsert(facts: list[Any], *, registry: Any) -> None:
    if facts:
        registry.get_model("sla", "TicketFacts").objects.bulk_create(
            facts,
            update_conflicts=True,
            unique_fields=["ticket"],
            update_fields=list(_COPIED),
        )


def _refresh(ticket_ids: list[int], *, registry: Any) -> None:
    """Recompute these tickets' facts under their tickets' row locks.

    Every ticket service locks the ticket before its clocks and facts, and so does the
    monitor, so two writers of one ticket refresh its facts one after the other, the
    second reading what the first committed (never overwriting it with what it read
    before). Taking the lock here again costs nothing when the caller holds it.
    """
    ticket_model = registry.get_model("tickets", "Ticket")
    with transaction.atomic():
        list(
            ticket_model.objects.select_for_update()
            .filter(pk__in=ticket_ids)
            .order_by("pk")
            .values_list("pk")
        )
        _upsert(_facts_for(ticket_ids, registry=registry), registry=registry)


def ticket_facts_refresh(*, ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of these tickets from their current state (three queries)."""
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
