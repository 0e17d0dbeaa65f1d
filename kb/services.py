"""Writes on the knowledge base: articles, their translations and versions, files, votes,
articles drafted from tickets, and the new-ticket suggestions' record.

Every write that changes an article's text refreshes its search document in the same
transaction (`translation_search_refresh`), so the search never reads stale text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk import search
from helpdesk.exceptions import PolicyViolation, StaleUpdate
from kb.models import (
    Article,
    ArticleAttachment,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    ArticleVote,
    Language,
    Section,
    SuggestionSession,
    Visibility,
    tiers_value,
)
from kb.rendering import render_article
from tickets.attachments import guess_content_type, safe_file_name, validate_upload
from tickets.models import Status, Ticket
from tickets.selectors import ticket_conversation

REFRESH_SQL = """
UPDATE kb_articletranslation SET search_document =
    setweight(to_tsvector(%s::regconfig, helpdesk_unaccent(title)), 'A')
    || setweight(to_tsvector(%s::regconfig, helpdesk_unaccent(summary)), 'B')
    || setweight(to_tsvector(%s::regconfig, helpdesk_unaccent(body)), 'C')
WHERE id = ANY(%s)
"""


def translation_search_refresh(*, translations: Iterable[ArticleTranslation]) -> None:
    """Rebuild these translations' search documents with their language's stemming
    (PostgreSQL: one statement per language)."""
    if search.is_postgres():
        by_config: dict[str, list[int]] = {}
        for translation in translations:
            config = search.CONFIGS.get(translation.language, "english")
            by_config.setdefault(config, []).append(translation.pk)
        with connection.cursor() as cursor:
            for config, ids in by_config.items():
                cursor.execute(REFRESH_SQL, [config, config, config, ids])
        return
    for translation in translations:
        ArticleTranslation.objects.filter(pk=translation.pk).update(
            search_document=search.plain_document(
                [translation.title, translation.summary, translation.body]
            )
        )


def article_languages_sync(*, article_ids: Iterable[int]) -> None:
    """Record on each translation the article's languages and which one is the fallback
    (English, else the first written), so readers' queries test rows, not subqueries."""
    translations: dict[int, list[ArticleTranslation]] = {}
    for translation in ArticleTranslation.objects.filter(article_id__in=list(article_ids)).only(
        "pk", "article_id", "language"
    ):
        translations.setdefault(translation.article_id, []).append(translation)
    for items in translations.values():
        languages = "|" + "|".join(sorted(item.language for item in items)) + "|"
        english = [item for item in items if item.language == Language.ENGLISH]
        fallback = (english or sorted(items, key=lambda item: item.pk))[0]
        for item in items:
            item.article_languages = languages
            item.is_fallback = item.pk == fallback.pk
    ArticleTranslation.objects.bulk_update(
        [item for items in translations.values() for item in items],
        ["article_languages", "is_fallback"],
        batch_size=1000,
    )


def _require_staff(user: User) -> None:
    if not user.is_engineer:
        raise PolicyViolation(_("Only support staff write articles."))


def _validate(
    *, section: str, language: str, title: str, body: str, status: str, visibility: str, tiers
) -> None:
    errors: dict[str, list[str]] = {}
    if section not in Section.values:
        errors["section"] = [_("Choose a section.")]
    if language not in Language.values:
        errors["language"] = [_("Choose a language.")]
    if not title.strip():
        errors["title"] = [_("Give the article a title.")]
    if not body.strip():
        errors["body"] = [_("Write the article.")]
    if status not in ArticleStatus.values:
        errors["status"] = [_("Choose a status.")]
    if visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who may read it.")]
    elif visibility == Visibility.TIERS and not tiers_value(list(tiers)):
        errors["tiers"] = [_("Choose at least one tier.")]
    if errors:
        raise ValidationError(errors)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "article"
    slug, number = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _save_version(translation: ArticleTranslation, *, by: User | None, note: str) -> None:
    article = translation.article
    last = translation.versions.order_by("-number").values_list("number", flat=True).first()
    ArticleVersion.objects.create(
        translation=translation,
        number=(last or 0) + 1,
        title=translation.title,
        summary=translation.summary,
        body=translation.body,
        status=article.status,
        visibility=article.visibility,
        tiers=article.tiers,
        note=note[:200],
        edited_by=by,
        edited_at=translation.updated_at,
    )


@transaction.atomic
def article_create(
    *,
    author: User,
    section: str,
    language: str,
    title: str,
    body: str,
    summary: str = "",
    status: str = ArticleStatus.DRAFT,
    visibility: str = Visibility.CUSTOMERS,
    tiers: Sequence[str] = (),
    position: int = 100,
    slug: str = "",
    source_ticket: Ticket | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Article:
    """Write a new article (its first language and version 1); staff only."""
    _require_staff(author)
    _validate(
        section=section,
        language=language,
        title=title,
        body=body,
        status=status,
        visibility=visibility,
        tiers=tiers,
    )
    now = timezone.now()
    article = Article.objects.create(
        section=section,
        slug=slugify(slug)[:120] if slug else _unique_slug(title),
        status=status,
        visibility=visibility,
        tiers=tiers_value(list(tiers)) if visibility == Visibility.TIERS else "",
        position=position,
        source_ticket=source_ticket,
        created_by=author,
        created_at=now,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    translation = ArticleTranslation.objects.create(
        article=article,
        language=language,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        body_html=render_article(body),
        updated_at=now,
        updated_by=author,
    )
    _save_version(translation, by=author, note=_("Created"))
    attachments_add(article=article, uploads=attachments, by=author)
    article_languages_sync(article_ids=[article.pk])
    translation_search_refresh(translations=[translation])
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    editor: User,
    language: str,
    title: str,
    body: str,
    summary: str = "",
    status: str,
    visibility: str,
    tiers: Sequence[str] = (),
    section: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> ArticleTranslation:
    """Save one language of an article (adding it when new) and the article's settings,
    as a new version. Refused if someone saved the article since ``expected_version``."""
    _require_staff(editor)
    section = section or article.section
    _validate(
        section=section,
        language=language,
        title=title,
        body=body,
        status=status,
        visibility=visibility,
        tiers=tiers,
    )
    now = timezone.now()
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleUpdate(
            _("This article was saved by someone else since you opened it; nothing was saved.")
        )
    locked.section = section
    locked.status = status
    locked.visibility = visibility
    locked.tiers = tiers_value(list(tiers)) if visibility == Visibility.TIERS else ""
    if status == ArticleStatus.PUBLISHED and locked.published_at is None:
        locked.published_at = now
    locked.updated_at = now
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db(fields=["version"])
    article.__dict__.update(
        {key: getattr(locked, key) for key in ("section", "status", "visibility", "tiers")}
    )
    article.version, article.updated_at = locked.version, now
    translation, _created = ArticleTranslation.objects.update_or_create(
        article=locked,
        language=language,
        defaults={
            "title": title.strip(),
            "summary": summary.strip(),
            "body": body,
            "body_html": render_article(body),
            "updated_at": now,
            "updated_by": editor,
        },
    )
    _save_version(translation, by=editor, note=note)
    attachments_add(article=locked, uploads=attachments, by=editor)
    article_languages_sync(article_ids=[locked.pk])
    translation_search_refresh(translations=[translation])
    return translation


def attachments_add(
    *, article: Article, uploads: Sequence[UploadedFile], by: User
) -> list[ArticleAttachment]:
    """Store files with the article; their addresses can be used in its text."""
    errors = []
    for upload in uploads:
        try:
            validate_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    stored = []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        attachment = ArticleAttachment(
            article=article,
            name=name,
            content_type=guess_content_type(name),
            size=upload.size or 0,
            uploaded_by=by,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@transaction.atomic
def article_vote(
    *,
    article: Article,
    language: str,
    helpful: bool,
    comment: str = "",
    user: User | None = None,
    session_key: str = "",
) -> ArticleVote:
    """Record a reader's 'was this helpful?' (voting again replaces their vote)."""
    if user is None and not session_key:
        raise ValidationError(_("Your vote could not be recorded; please reload the page."))
    who = {"user": user} if user is not None else {"user": None, "session_key": session_key}
    vote, _created = ArticleVote.objects.update_or_create(
        article=article,
        **who,
        defaults={
            "helpful": helpful,
            "comment": comment.strip()[:2000],
            "language": language,
            "created_at": timezone.now(),
        },
    )
    return vote


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def _scrub(text: str, names: Sequence[str]) -> str:
    text = _EMAIL.sub(_("[e-mail address]"), text)
    text = _PHONE.sub(_("[phone number]"), text)
    for name in sorted({name for name in names if len(name) > 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), _("[customer]"), text, flags=re.IGNORECASE)
    return text


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket, author: User) -> Article:
    """A staff-only draft in the knowledge base from a solved ticket: the problem (its
    description) and the answer (staff's public replies), the customer's details left
    out (their names, organization, e-mail addresses and phone numbers)."""
    _require_staff(author)
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        raise PolicyViolation(_("Only a solved ticket can become an article."))
    requester = ticket.requester
    names = [
        requester.get_full_name(),
        requester.first_name,
        requester.last_name,
        ticket.organization.name,
        *[
            part
            for user in ticket.cc.all()
            for part in (user.get_full_name(), user.first_name, user.last_name)
        ],
    ]
    answers = [
        comment.body
        for comment in ticket_conversation(ticket=ticket, viewer=author)
        if comment.by_staff and comment.is_public and not comment.is_automatic
    ]
    body = "\n\n".join(
        [
            "## " + _("Problem"),
            _scrub(ticket.description, names),
            "## " + _("Solution"),
            *[_scrub(answer, names) for answer in answers],
        ]
    )
    language = search.detect_language(f"{ticket.subject}\n{ticket.description}")
    return article_create(
        author=author,
        section=Section.KNOWLEDGE_BASE,
        language=language,
        title=_scrub(ticket.subject, names),
        body=body,
        status=ArticleStatus.DRAFT,
        visibility=Visibility.STAFF,
        source_ticket=ticket,
    )


def suggestions_shown(*, token: str, user: User, articles: Sequence[Article]) -> None:
    """Count a new-ticket form's suggestions (one row per form, however often it asks)."""
    try:
        token_value = uuid.UUID(token)
    except ValueError:
        return
    if not articles:
        return
    session, created = SuggestionSession.objects.get_or_create(
        token=token_value, defaults={"user": user, "times_shown": 1}
    )
    if session.user_id != user.pk:
        return
    if not created:
        SuggestionSession.objects.filter(pk=session.pk).update(times_shown=F("times_shown") + 1)
    session.articles_shown.add(*articles)


def suggestion_clicked(*, token: str, user: User, article: Article) -> None:
    """Record that the reader opened a suggested article (the first one opened counts)."""
    try:
        token_value = uuid.UUID(token)
    except ValueError:
        return
    SuggestionSession.objects.filter(
        token=token_value, user=user, clicked_article__isnull=True
    ).update(clicked_article=article, clicked_at=timezone.now())
