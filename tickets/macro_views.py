"""Macros on the web: the searchable picker on the ticket page and the queue's inline
reply, the filled-in reply (JSON, for the engineer to read and edit before sending), and
the page where engineers keep their macros and managers the shared ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import engineer_required
from accounts.selectors import staff_users
from helpdesk.exceptions import DomainError
from helpdesk.forms import apply_errors
from helpdesk.http import AuthenticatedHttpRequest
from tickets import macros, selectors
from tickets.forms import MacroForm
from tickets.models import Macro
from tickets.queue_views import _error_text


@engineer_required
@require_GET
def macro_picker(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The macros whose title matches what was typed, as buttons (an htmx fragment)."""
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    found = macros.macros_visible_to(request.user, query=request.GET.get("q", ""))[:20]
    return render(request, "tickets/_macro_picker.html", {"ticket": ticket, "macros": found})


@engineer_required
@require_GET
def macro_preview(request: AuthenticatedHttpRequest, pk: int, macro_id: int) -> HttpResponse:
    """The macro filled in for this ticket: the reply text and what sending it will do."""
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    macro = macros.macros_visible_to(request.user).filter(pk=macro_id).first()
    if macro is None:
        raise Http404
    result = macros.macro_render(macro=macro, ticket=ticket, engineer=request.user)
    return JsonResponse(
        {
            "macro": macro.pk,
            "title": macro.title,
            "language": result.language,
            "body": result.body,
            "actions": result.action_texts(),
        }
    )


@engineer_required
@require_GET
def macro_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "tickets/macros.html",
        {
            "macros": macros.macros_visible_to(user).select_related("owner"),
            "editable": set(macros.macros_editable_by(user).values_list("pk", flat=True)),
        },
    )


@engineer_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: AuthenticatedHttpRequest, macro_id: int | None = None) -> HttpResponse:
    """Create a macro, or change one the engineer may edit."""
    user = request.user
    macro = None
    if macro_id is not None:
        macro = macros.macros_editable_by(user).filter(pk=macro_id).first()
        if macro is None:
            raise Http404
    initial = {}
    if macro is not None:
        initial = {
            "title": macro.title,
            "body_en": macro.body_en,
            "body_pt_br": macro.body_pt_br,
            "shared": macro.is_shared,
            "set_status": macro.set_status,
            "assign_to_me": macro.assign_to_me,
            "assignee": macro.assignee_id,
            "add_tags": ", ".join(macro.add_tags),
        }
    form = MacroForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        engineers=staff_users(),
        can_share=user.is_manager,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = macros.macro_save(
                actor=user,
                macro=macro,
                title=data["title"],
                body_en=data["body_en"],
                body_pt_br=data["body_pt_br"],
                shared=bool(data.get("shared")),
                set_status=data["set_status"],
                assign_to_me=data["assign_to_me"],
                assignee=data["assignee"],
                add_tags=data["add_tags"],
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Macro “%(title)s” saved.") % {"title": saved.title})
            return redirect("macro_list")
    return render(
        request,
        "tickets/macro_edit.html",
        {"form": form, "macro": macro},
        status=400 if request.method == "POST" else 200,
    )


@engineer_required
@require_POST
def macro_delete(request: AuthenticatedHttpRequest, macro_id: int) -> HttpResponse:
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None:
        raise Http404
    try:
        macros.macro_delete(actor=request.user, macro=macro)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Macro “%(title)s” removed.") % {"title": macro.title})
    return redirect("macro_list")
