"""Knowledge base: articles in sections, their translations, versions, files and votes;
the new-ticket suggestions and what came of them."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from helpdesk.search import SearchDocumentField


class Section(models.TextChoices):
    GETTING_STARTED = "getting-started", _("Getting started")
    KNOWLEDGE_BASE = "knowledge-base", _("Knowledge base")
    DOCUMENTATION = "documentation", _("Product documentation")
    RELEASE_NOTES = "release-notes", _("Release notes and patches")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone, signed in or not")
    CUSTOMERS = "customers", _("Customers of any tier")
    TIERS = "tiers", _("Customers of chosen tiers")
    STAFF = "staff", _("Support staff only")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    PORTUGUESE = "pt-br", "Português (Brasil)"


def tiers_value(tiers: list[str]) -> str:
    """Tiers as stored: ``|premium|standard|`` (a tier matches ``|tier|`` with LIKE)."""
    chosen = sorted({tier for tier in tiers if tier in Tier.values})
    return f"|{'|'.join(chosen)}|" if chosen else ""


class Article(models.Model):
    """What is shared by an article's languages: where it lives and who may read it."""

    section = models.CharField(_("section"), max_length=30, choices=Section.choices)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.CUSTOMERS
    )
    tiers = models.CharField(_("tiers"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("order in its section"), default=100)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["section", "position", "pk"]
        indexes = [models.Index(fields=["section", "status", "visibility", "position"])]

    def __str__(self) -> str:
        return self.slug

    @property
    def tier_list(self) -> list[str]:
        return [tier for tier in self.tiers.split("|") if tier]

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleTranslation(models.Model):
    """An article's text in one language, with its search document."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, default="")
    search_document = SearchDocumentField(default="")
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by kb.services for every translation of the article, so "the reader's language,
    # else the fallback" is a test on the row itself: the languages the article has
    # (``|en|pt-br|``) and whether this is the one shown when the reader's is missing.
    article_languages = models.CharField(max_length=40, default="", editable=False)
    is_fallback = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="kb_translation_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One saved state of a translation: who changed it, when, why, and what it said."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    tiers = models.CharField(max_length=100, blank=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["translation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "number"], name="kb_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.translation} v{self.number}"


def article_file_path(instance: ArticleAttachment, filename: str) -> str:
    return f"kb/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ArticleAttachment(models.Model):
    """A file or image of an article; images are shown in its text by their address."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=article_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article file")
        verbose_name_plural = _("article files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return os.path.splitext(self.name)[1].lower() in {".png", ".jpg", ".jpeg", ".gif", ".webp"}


class ArticleVote(models.Model):
    """'Was this helpful?': one vote per reader (signed-in user or browser session)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    language = models.CharField(max_length=10, choices=Language.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=models.Q(user__isnull=False),
                name="kb_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=models.Q(user__isnull=True),
                name="kb_vote_one_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} {'+' if self.helpful else '-'}"


class SuggestionSession(models.Model):
    """One new-ticket form's suggestions: shown, clicked, and whether a ticket followed.

    "No ticket followed" (deflection) is read from the tickets the user filed within
    ``DEFLECTION_WINDOW`` after the suggestions were first shown (kb.selectors).
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_shown_at = models.DateTimeField(default=timezone.now, db_index=True)
    times_shown = models.PositiveIntegerField(default=0)
    articles_shown = models.ManyToManyField(Article, related_name="+", blank=True)
    clicked_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion session")
        verbose_name_plural = _("suggestion sessions")

    def __str__(self) -> str:
        return str(self.token)
