"""Merging from the ticket page: the duplicate (this page) into the ticket named."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import engineer_required
from helpdesk.exceptions import DomainError
from helpdesk.http import AuthenticatedHttpRequest
from helpdesk.inputs import parse_id
from tickets import merge, selectors
from tickets.forms import PAGE_OUT_OF_DATE
from tickets.models import Ticket
from tickets.queue_views import _error_text


@engineer_required
@require_POST
def ticket_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Merge this ticket into the one whose number was typed (`#1042` or `1042`)."""
    source = selectors.ticket_get_visible(user=request.user, pk=pk)
    version = parse_id(request.POST.get("version"))
    target_id = parse_id(request.POST.get("into", "").strip().lstrip("#"))
    target = Ticket.objects.filter(pk=target_id).first() if target_id else None
    if version is None:
        messages.error(request, PAGE_OUT_OF_DATE)
    elif target is None:
        messages.error(request, _("No ticket has that number."))
    else:
        try:
            merge.ticket_merge(
                source=source, target=target, actor=request.user, expected_version=version
            )
        except (ValidationError, DomainError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("%(source)s was merged into %(target)s.")
                % {"source": source.reference, "target": target.reference},
            )
            return redirect("ticket_detail", pk=target.pk)
    return redirect("ticket_detail", pk=source.pk)
