"""`python manage.py search_reindex`: rebuild every search document (tickets, articles).

The services keep the documents current; run this after a bulk import that bypassed
them (``load_sample_data``, a migration from another helpdesk) or after changing the
search rules. Batches of tickets, each its own statement; safe beside live traffic.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kb.models import Article, ArticleTranslation
from kb.services import article_languages_sync, translation_search_refresh
from tickets.models import Ticket
from tickets.search import ticket_search_refresh


class Command(BaseCommand):
    help = "Rebuild the search documents of every ticket and article."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        batch = options["batch"]
        last, tickets = 0, 0
        while True:
            ids = list(
                Ticket.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            ticket_search_refresh(ticket_ids=ids)
            tickets += len(ids)
            last = ids[-1]
        article_ids = list(Article.objects.values_list("pk", flat=True))
        for start in range(0, len(article_ids), batch):
            article_languages_sync(article_ids=article_ids[start : start + batch])
        translations = ArticleTranslation.objects.only("pk", "language")
        translation_search_refresh(translations=translations.iterator())
        self.stdout.write(
            f"Reindexed {tickets} tickets and {translations.count()} article translations "
            f"in {time.perf_counter() - started:.1f} s."
        )
