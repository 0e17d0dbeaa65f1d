"""Tags on the web: set a ticket's tags, autocomplete, and the managers' tag list
(rename; renaming to an existing name merges)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import engineer_required, manager_required
from helpdesk.exceptions import DomainError
from helpdesk.http import AuthenticatedHttpRequest
from helpdesk.inputs import parse_id
from tickets import selectors, tags
from tickets.forms import PAGE_OUT_OF_DATE
from tickets.models import Tag
from tickets.queue_views import _back, _error_text


@engineer_required
@require_POST
def ticket_tags(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give the ticket the tags typed (comma separated), if nobody changed it since."""
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    version = parse_id(request.POST.get("version"))
    if version is None:
        messages.error(request, PAGE_OUT_OF_DATE)
        return _back(request, ticket)
    try:
        tags.ticket_tags_set(
            ticket=ticket,
            actor=request.user,
            names=request.POST.get("tags", ""),
            expected_version=version,
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The tags of %(ticket)s were saved.") % {"ticket": ticket.reference}
        )
    return _back(request, ticket)


@engineer_required
@require_GET
def tag_suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """`<option>`s for a tag input's datalist: existing tags starting with the last
    comma-separated word typed, each offered as the whole value with it completed."""
    typed = request.GET.get("tags", request.GET.get("tag", ""))
    head, _sep, last = typed.rpartition(",")
    prefix = f"{head}, " if head.strip() else ""
    chosen = set(tags.parse_tags(head))
    names = [name for name in tags.tag_suggestions(prefix=last) if name not in chosen]
    options = [prefix + name for name in names]
    return render(request, "tickets/_tag_options.html", {"options": options})


@engineer_required
@require_GET
def tag_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every tag with its open and total ticket counts; managers rename and merge here."""
    return render(request, "tickets/tags.html", {"tags": tags.tags_with_counts()})


@manager_required
@require_POST
def tag_rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk)
    old = tag.name
    try:
        result = tags.tag_rename(actor=request.user, tag=tag, name=request.POST.get("name", ""))
    except (ValidationError, DomainError) as error:
        messages.error(request, _error_text(error))
    else:
        if result.pk != pk:
            text = _("Tag “%(old)s” was merged into “%(new)s”.")
        else:
            text = _("Tag “%(old)s” is now “%(new)s”.")
        messages.success(request, text % {"old": old, "new": result.name})
    return redirect("tag_list")
