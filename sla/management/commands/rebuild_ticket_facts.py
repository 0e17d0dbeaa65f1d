"""`python manage.py rebuild_ticket_facts`: recompute every ticket's dashboard facts.

The services keep the facts in step; this is for after a bulk import or a restore that
bypassed them, and to repair. Safe to run at any time (each batch is an upsert).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sla.facts import REBUILD_BATCH, ticket_facts_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard facts of every ticket from its ticket, clocks and replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH)

    def handle(self, *args: object, **options: Any) -> None:
        started = time.monotonic()
        result = ticket_facts_rebuild(batch_size=options["batch_size"])
        self.stdout.write(
            f"Recomputed the facts of {result.tickets} tickets in "
            f"{time.monotonic() - started:.1f} s; {result.repaired} rows were missing or stale."
        )
