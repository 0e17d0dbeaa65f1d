"""Articles built through the real services."""

from __future__ import annotations

from kb.models import ArticleStatus, Section, Visibility
from kb.services import article_create


def make_article(author, **overrides):
    values = {
        "section": Section.KNOWLEDGE_BASE,
        "language": "en",
        "title": "Restore a backup to another server",
        "summary": "Move a backup set to new hardware.",
        "body": "Open the console, choose the backup set and restore it.",
        "status": ArticleStatus.PUBLISHED,
        "visibility": Visibility.CUSTOMERS,
    }
    values.update(overrides)
    return article_create(author=author, **values)
