"""Linking tickets from the ticket page (staff only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import engineer_required
from helpdesk.exceptions import DomainError
from helpdesk.http import AuthenticatedHttpRequest
from helpdesk.inputs import parse_id
from tickets import links, selectors
from tickets.models import Ticket, TicketLink
from tickets.queue_views import _error_text


@engineer_required
@require_POST
def ticket_link_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    source = selectors.ticket_get_visible(user=request.user, pk=pk)
    target_id = parse_id(request.POST.get("other", "").strip().lstrip("#"))
    target = Ticket.objects.filter(pk=target_id).first() if target_id else None
    if target is None:
        messages.error(request, _("No ticket has that number."))
        return redirect("ticket_detail", pk=pk)
    try:
        links.ticket_link(
            source=source, target=target, kind=request.POST.get("kind", ""), actor=request.user
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Linked to %(ticket)s.") % {"ticket": target.reference})
    return redirect("ticket_detail", pk=pk)


@engineer_required
@require_POST
def ticket_link_remove(request: AuthenticatedHttpRequest, pk: int, link_id: int) -> HttpResponse:
    link = (
        TicketLink.objects.filter(Q(source_id=pk) | Q(target_id=pk), pk=link_id)
        .select_related("source", "target")
        .first()
    )
    if link is None:
        raise Http404
    links.ticket_unlink(link=link, actor=request.user)
    messages.success(request, _("The link was removed."))
    return redirect("ticket_detail", pk=pk)
