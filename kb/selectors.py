"""Reads on the knowledge base. `articles_visible_to` is where every page, list,
suggestion and search of articles starts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Tier, User
from kb.models import (
    Article,
    ArticleAttachment,
    ArticleStatus,
    ArticleTranslation,
    ArticleVote,
    Language,
    Section,
    SuggestionSession,
    Visibility,
)
from sla import services as sla_services
from tickets.models import Ticket
from tickets.selectors import portal_ticket_list

DEFLECTION_WINDOW = datetime.timedelta(hours=24)

Reader = User | AnonymousUser


def reader_tier(user: Reader) -> str | None:
    """The tier whose articles a customer reads: the plan in force decides, so a Trial past
    its end reads what Community reads. None for anonymous readers and staff."""
    if not user.is_authenticated or user.is_engineer:
        return None
    organization = user.organization
    if organization is None:
        return None
    try:
        in_force = sla_services.plan_in_force(organization=organization, at=timezone.now())
    except sla_services.NoPlanForTier:
        return str(organization.tier)
    return str(Tier.COMMUNITY) if in_force.trial_lapsed else str(organization.tier)


def articles_visible_to(user: Reader) -> QuerySet[Article]:
    """Staff: every article, drafts too. Customers: published articles for everyone, for
    any customer, or for their tier. Anonymous visitors: published public articles."""
    if user.is_authenticated and user.is_active and user.is_engineer:
        return Article.objects.all()
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if not user.is_authenticated or not user.is_active:
        return published.filter(visibility=Visibility.PUBLIC)
    allowed = Q(visibility__in=[Visibility.PUBLIC, Visibility.CUSTOMERS])
    tier = reader_tier(user)
    if tier:
        allowed |= Q(visibility=Visibility.TIERS, tiers__contains=f"|{tier}|")
    return published.filter(allowed)


def reader_language(language_code: str | None) -> str:
    """The article language for the interface language (pt-br or English)."""
    return Language.PORTUGUESE if (language_code or "").lower().startswith("pt") else "en"


def translations_for_reader(user: Reader, *, language: str) -> QuerySet[ArticleTranslation]:
    """One translation per visible article: the reader's language where it exists, else
    the article's fallback (English, else its first language)."""
    return ArticleTranslation.objects.filter(
        Q(language=language)
        | (Q(is_fallback=True) & ~Q(article_languages__contains=f"|{language}|")),
        article__in=articles_visible_to(user),
    )


def pick_translation(article: Article, language: str) -> ArticleTranslation | None:
    """Of an article's prefetched translations: the reader's, else English, else any."""
    translations = {translation.language: translation for translation in article.translations.all()}
    return (
        translations.get(language)
        or translations.get(Language.ENGLISH)
        or next(iter(translations.values()), None)
    )


def article_get_visible(*, user: Reader, slug: str) -> Article:
    """The article if this reader may read it, else 404 (never a 403 that says it exists)."""
    article = (
        articles_visible_to(user)
        .filter(slug=slug)
        .prefetch_related("translations", "attachments")
        .first()
    )
    if article is None:
        raise Http404
    return article


def attachment_get_visible(*, user: Reader, pk: int) -> ArticleAttachment:
    attachment = (
        ArticleAttachment.objects.filter(pk=pk, article__in=articles_visible_to(user))
        .select_related("article")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@dataclass(frozen=True)
class ArticleItem:
    article: Article
    translation: ArticleTranslation


def section_articles(
    *, user: Reader, section: str, language: str, limit: int | None = None
) -> list[ArticleItem]:
    """A section's visible articles in order, each in the reader's language if it exists."""
    articles = (
        articles_visible_to(user)
        .filter(section=section)
        .prefetch_related(
            Prefetch(
                "translations",
                queryset=ArticleTranslation.objects.defer("body", "body_html", "search_document"),
            )
        )
        .order_by("position", "pk")
    )
    if limit is not None:
        articles = articles[:limit]
    items = []
    for article in articles:
        translation = pick_translation(article, language)
        if translation is not None:
            items.append(ArticleItem(article, translation))
    return items


def knowledge_base_home(*, user: Reader, language: str, per_section: int = 8) -> dict:
    """Each section with its first articles, for /kb/."""
    return {
        section: section_articles(user=user, section=section, language=language, limit=per_section)
        for section in Section.values
    }


def article_vote_of(*, article: Article, user: Reader, session_key: str) -> ArticleVote | None:
    if user.is_authenticated:
        return ArticleVote.objects.filter(article=article, user_id=user.pk).first()
    if not session_key:
        return None
    return ArticleVote.objects.filter(article=article, user=None, session_key=session_key).first()


def article_feedback(*, article: Article) -> dict[str, object]:
    """Votes for and against, and the latest comments (staff see them on the article)."""
    # The aliases must not be "helpful": an aggregate named like the field its filter
    # reads makes Django refuse the query (FieldError).
    counts = article.votes.aggregate(
        helpful_votes=Count("pk", filter=Q(helpful=True)),
        not_helpful_votes=Count("pk", filter=Q(helpful=False)),
    )
    comments = article.votes.exclude(comment="").select_related("user").order_by("-created_at")
    return {
        "helpful": counts["helpful_votes"],
        "not_helpful": counts["not_helpful_votes"],
        "comments": list(comments[:20]),
    }


def suggestion_report(*, since: datetime.datetime) -> dict[str, object]:
    """New-ticket suggestions since ``since``: forms that showed some, forms where one was
    opened, and of those, how many were followed by no ticket from that customer within
    ``DEFLECTION_WINDOW`` (deflection); then per article."""
    sessions = SuggestionSession.objects.filter(first_shown_at__gte=since)
    filed = Ticket.objects.filter(
        requester_id=OuterRef("user_id"),
        created_at__gte=OuterRef("first_shown_at"),
        created_at__lt=OuterRef("first_shown_at") + DEFLECTION_WINDOW,
    )
    now = timezone.now()
    settled = Q(first_shown_at__lte=now - DEFLECTION_WINDOW)
    totals = sessions.annotate(ticket_followed=Exists(filed)).aggregate(
        shown=Count("pk"),
        clicked=Count("pk", filter=Q(clicked_article__isnull=False)),
        deflected=Count("pk", filter=Q(clicked_article__isnull=False, ticket_followed=False)),
        no_ticket=Count("pk", filter=Q(ticket_followed=False) & settled),
        settled=Count("pk", filter=settled),
    )
    per_article = (
        sessions.filter(clicked_article__isnull=False)
        .annotate(ticket_followed=Exists(filed))
        .values("clicked_article__slug")
        .annotate(
            clicks=Count("pk"),
            deflected=Count("pk", filter=Q(ticket_followed=False)),
        )
        .order_by("-clicks")[:20]
    )
    return {**totals, "per_article": list(per_article)}


def article_versions(*, article: Article):
    return article.translations.prefetch_related("versions__edited_by").order_by("language")


def customer_self_service(*, user: User, language: str, per_section: int = 4) -> dict:
    """The customer home page's self-service block: the first guides, documentation and
    knowledge-base articles they may read, and their own open tickets."""
    return {
        "getting_started": section_articles(
            user=user, section=Section.GETTING_STARTED, language=language, limit=per_section
        ),
        "documentation": section_articles(
            user=user, section=Section.DOCUMENTATION, language=language, limit=per_section
        ),
        "knowledge_base": section_articles(
            user=user, section=Section.KNOWLEDGE_BASE, language=language, limit=per_section
        ),
        "open_tickets": list(
            portal_ticket_list(user=user, scope="mine", status="active", sort="activity")[:5]
        ),
    }
