"""Web views of the knowledge base and the global search: parse, call one service or
selector, render."""

from __future__ import annotations

import datetime
import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import engineer_required, manager_required
from helpdesk.exceptions import DomainError
from helpdesk.forms import apply_errors
from helpdesk.http import AuthenticatedHttpRequest
from kb import selectors, services
from kb.forms import ArticleForm, PreviewForm, VoteForm
from kb.models import Article, Language, Section
from kb.rendering import render_article
from kb.search import KINDS, article_suggestions, global_search
from tickets.attachments import is_inline
from tickets.search import ticket_for_reference
from tickets.selectors import ticket_get_visible


def _language(request: HttpRequest) -> str:
    return selectors.reader_language(get_language())


@require_GET
def kb_home(request: HttpRequest) -> HttpResponse:
    """Every section with its first articles, and a search box."""
    sections = selectors.knowledge_base_home(user=request.user, language=_language(request))
    return render(
        request,
        "kb/home.html",
        {"sections": [(Section(key), items) for key, items in sections.items()]},
    )


@require_GET
def section(request: HttpRequest, section: str) -> HttpResponse:
    if section not in Section.values:
        raise Http404
    items = selectors.section_articles(
        user=request.user, section=section, language=_language(request)
    )
    return render(request, "kb/section.html", {"section": Section(section), "items": items})


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """/docs/: the product documentation section."""
    return section(request, Section.DOCUMENTATION)


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_visible(user=request.user, slug=slug)
    language = _language(request)
    wanted = request.GET.get("lang")
    translation = selectors.pick_translation(article, wanted or language)
    if translation is None:
        raise Http404
    is_staff = request.user.is_authenticated and request.user.is_engineer
    vote = selectors.article_vote_of(
        article=article, user=request.user, session_key=request.session.session_key or ""
    )
    return render(
        request,
        "kb/article.html",
        {
            "article": article,
            "translation": translation,
            "other_languages": [
                other for other in article.translations.all() if other.pk != translation.pk
            ],
            "missing_language": translation.language != language and not wanted,
            "vote": vote,
            "vote_form": VoteForm(),
            "feedback": selectors.article_feedback(article=article) if is_staff else None,
            "is_staff": is_staff,
        },
    )


@require_POST
def article_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_visible(user=request.user, slug=slug)
    form = VoteForm(request.POST)
    language = request.POST.get("language", "")
    if form.is_valid():
        if not request.session.session_key:
            request.session.save()
        try:
            services.article_vote(
                article=article,
                language=language if language in Language.values else _language(request),
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
                user=request.user if request.user.is_authenticated else None,
                session_key=request.session.session_key or "",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your feedback."))
    else:
        messages.error(request, _("Say whether the article was helpful."))
    return redirect("kb:article", slug=article.slug)


def _article_form_response(
    request: AuthenticatedHttpRequest, form: ArticleForm, article: Article | None
) -> HttpResponse:
    return render(request, "kb/article_form.html", {"form": form, "article": article})


def _article_inputs(data: dict) -> dict:
    return {
        key: data[key]
        for key in ("language", "section", "title", "summary", "body", "status", "visibility")
    } | {"tiers": data["tiers"], "attachments": data["attachments"]}


@engineer_required
@require_http_methods(["GET", "POST"])
def article_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "language": _language(request),
            "section": request.GET.get("section", Section.KNOWLEDGE_BASE),
            "visibility": "customers",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(
                author=request.user, **_article_inputs(form.cleaned_data)
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("kb:article", slug=article.slug)
    return _article_form_response(request, form, None)


@engineer_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_visible(user=request.user, slug=slug)
    language = request.GET.get("lang") or _language(request)
    translation = next(
        (item for item in article.translations.all() if item.language == language), None
    )
    source = translation or selectors.pick_translation(article, language)
    initial = {
        "language": language,
        "section": article.section,
        "title": source.title if source else "",
        "summary": source.summary if source else "",
        "body": source.body if source else "",
        "status": article.status,
        "visibility": article.visibility,
        "tiers": article.tier_list,
        "version": article.version,
    }
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.article_update(
                article=article,
                editor=request.user,
                note=data["note"],
                expected_version=data["version"],
                **_article_inputs(data),
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The article is saved."))
            return redirect(f"{article_url(article)}?lang={data['language']}")
    return _article_form_response(request, form, article)


def article_url(article: Article) -> str:
    return reverse("kb:article", args=[article.slug])


@engineer_required
@require_POST
def article_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The article's text as readers will see it (htmx)."""
    form = PreviewForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return render(request, "kb/_preview.html", {"html": render_article(body)})


@engineer_required
@require_GET
def article_history(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Every saved version of each language: who, when, what changed, and the diff."""
    article = selectors.article_get_visible(user=request.user, slug=slug)
    languages = []
    for translation in selectors.article_versions(article=article):
        versions = list(translation.versions.all())
        rows = []
        for index, version in enumerate(versions):
            previous = versions[index + 1] if index + 1 < len(versions) else None
            diff = (
                "\n".join(
                    difflib.unified_diff(
                        f"{previous.title}\n{previous.body}".splitlines(),
                        f"{version.title}\n{version.body}".splitlines(),
                        lineterm="",
                        n=1,
                    )
                )
                if previous
                else ""
            )
            rows.append((version, diff))
        languages.append((translation, rows))
    return render(request, "kb/history.html", {"article": article, "languages": languages})


@require_GET
def article_file(request: HttpRequest, pk: int, name: str = "") -> FileResponse:
    attachment = selectors.attachment_get_visible(user=request.user, pk=pk)
    inline = is_inline(attachment.content_type)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@engineer_required
@require_POST
def article_from_ticket(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click on a solved ticket: a staff-only draft, the customer left out."""
    ticket = ticket_get_visible(user=request.user, pk=pk)
    try:
        article = services.article_draft_from_ticket(ticket=ticket, author=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("ticket_detail", pk=ticket.pk)
    messages.success(
        request, _("A draft article was written from %(ticket)s.") % {"ticket": ticket.reference}
    )
    return redirect("kb:article_edit", slug=article.slug)


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """Articles matching the subject a customer is typing (htmx, the new-ticket form)."""
    if not request.user.is_authenticated:
        return HttpResponse("")
    token = request.GET.get("suggestion_token", "")
    found = article_suggestions(
        user=request.user, language=_language(request), text=request.GET.get("subject", "")
    )
    if found and not request.user.is_engineer:
        services.suggestions_shown(
            token=token, user=request.user, articles=[article for article, _t in found]
        )
    return render(request, "kb/_suggestions.html", {"found": found, "token": token})


@require_GET
def suggestion_open(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """Open a suggested article, recording the click for the deflection report."""
    article = selectors.article_get_visible(user=request.user, slug=slug)
    if request.user.is_authenticated:
        services.suggestion_clicked(token=token, user=request.user, article=article)
    return redirect("kb:article", slug=article.slug)


@manager_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Managers: how often suggestions were shown, opened and followed by no ticket."""
    try:
        days = max(1, min(365, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    since = timezone.now() - datetime.timedelta(days=days)
    return render(
        request,
        "kb/report.html",
        {
            "days": days,
            "report": selectors.suggestion_report(since=since),
            "window_hours": int(selectors.DEFLECTION_WINDOW.total_seconds() // 3600),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The global search. ``#1042`` opens that ticket when the user may see it."""
    query = request.GET.get("q", "").strip()[:200]
    reference = query.replace(" ", "")
    if request.user.is_authenticated and reference.startswith("#") and reference[1:].isdigit():
        ticket = ticket_for_reference(user=request.user, reference=reference)
        if ticket is not None:
            return redirect("ticket_detail", pk=ticket.pk)
    kind = request.GET.get("kind", "")
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = global_search(
        user=request.user, query=query, language=_language(request), kind=kind, page=number
    )
    return render(
        request,
        "kb/search.html",
        {"page": page, "kinds": KINDS, "query": query, "kind": page.kind},
    )
