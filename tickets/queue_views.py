"""The engineers' queue: filter, act on rows (alone or in bulk), saved views, presence, phone.

Every action is a POST that calls one service. From the queue (htmx) the answer is the
refreshed queue fragment, messages included; from elsewhere, a redirect back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organization, Tier, User
from accounts.permissions import engineer_required
from accounts.selectors import staff_users
from helpdesk.exceptions import DomainError
from helpdesk.http import AuthenticatedHttpRequest
from helpdesk.inputs import parse_id
from sla.models import Priority
from tickets import macros, selectors, services
from tickets.forms import PAGE_OUT_OF_DATE, PhoneTicketForm, SavedViewForm
from tickets.models import Channel, Product, Status, Ticket
from tickets.queue import (
    DEFAULT_PAGE_SIZE,
    QueueFilters,
    QueueKey,
    queue_counts,
    queue_page,
    queue_rows,
    queue_tickets,
    queue_views,
    resolve_tag_ids,
)
from tickets.views import apply_errors

logger = logging.getLogger(__name__)


def _error_text(error: ValidationError | DomainError) -> str:
    return error.message if isinstance(error, DomainError) else " ".join(error.messages)


def _options(choices: Iterable[tuple[object, object]], selected: object = None) -> str:
    """`<option>`s rendered once per page, not once per row (template loops are slow)."""
    chosen = mark_safe(" selected")  # noqa: S308 - a constant
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, chosen if str(value) == str(selected) else "", label) for value, label in choices),
    )


class BadQueueKey(ValueError):
    """A page link's key was not written by the queue (tampered or cut)."""


def _page_keys(data: QueryDict) -> tuple[QueueKey | None, QueueKey | None]:
    """The keyset position in a query string: `after` (next pages) or `before`."""
    after_text, before_text = str(data.get("after") or ""), str(data.get("before") or "")
    try:
        after = QueueKey.decode(after_text) if after_text else None
        before = QueueKey.decode(before_text) if before_text and not after else None
    except ValueError as error:
        raise BadQueueKey(str(error)) from error
    return after, before


def _queue_context(
    request: AuthenticatedHttpRequest, data: QueryDict, *, acted: Ticket | None = None
) -> dict[str, object]:
    """Everything the queue page shows. `acted` is the ticket a row action just changed:
    if it left the page (another status, a new deadline), a message says so and links it."""
    user = request.user
    now = timezone.now()
    filters = QueueFilters.parse(data)
    after, before = _page_keys(data)
    query = filters.to_query()
    views = queue_views(user=user)
    queries = {view.key: view.query for view in views}
    queries[""] = query
    tag_ids = resolve_tag_ids(
        name for value in queries.values() for name in QueueFilters.parse(QueryDict(value)).tags
    )
    counts = queue_counts(user=user, queries=queries, now=now, tag_ids=tag_ids)
    for view in views:
        view.count = counts[view.key]
        # `active` is an extra for the template, not a field of tickets/queue.py's dataclass.
        view.active = QueueFilters.parse(QueryDict(view.query)).to_query() == query  # type: ignore[attr-defined]
    size = parse_id(data.get("size")) or DEFAULT_PAGE_SIZE
    page = queue_page(
        queue_tickets(user=user, filters=filters, now=now, tag_ids=tag_ids),
        size=size,
        now=now,
        after=after,
        before=before,
    )
    if acted is not None and all(row.ticket.pk != acted.pk for row in page.rows):
        messages.info(
            request,
            format_html(
                _("{reference} is no longer on this page of the queue: {link}."),
                reference=acted.reference,
                link=format_html(
                    '<a href="{}">{}</a>',
                    reverse("ticket_detail", args=[acted.pk]),
                    _("open %(reference)s") % {"reference": acted.reference},
                ),
            ),
        )
    size_part = f"&size={page.size}" if page.size != DEFAULT_PAGE_SIZE else ""
    page_query = query + size_part
    position = f"after={after.encode()}" if after else f"before={before.encode()}" if before else ""
    organizations = Organization.objects.only("id", "name").order_by("name")
    engineers = _engineers()
    return {
        "filters": filters,
        "query": query,
        "page_query": page_query,
        # The page on screen, sent back with every row action so the answer shows it again.
        "current_query": "&".join(part for part in (page_query, position) if part),
        "total": counts[""],
        "page": page,
        "views": views,
        "engineer_options": _options(engineers),
        "engineer_filter_options": _options(engineers, filters.assignee),
        "organization_options": _options(
            [(org.pk, org.name) for org in organizations], filters.organization
        ),
        "product_options": _options(
            [(product.pk, product.name) for product in Product.objects.filter(is_active=True)],
            filters.product,
        ),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "tiers": Tier.choices,
        "channels": Channel.choices,
        "saved_view_form": SavedViewForm(initial={"query": query}),
    }


def _engineers() -> list[tuple[int, str]]:
    return [(engineer.pk, str(engineer)) for engineer in staff_users()]


def _render_queue(
    request: AuthenticatedHttpRequest,
    data: QueryDict,
    *,
    status: int = 200,
    after_action: bool = False,
    acted: Ticket | None = None,
) -> HttpResponse:
    fragment = bool(request.htmx) and not request.htmx.boosted
    template = "tickets/_queue.html" if fragment else "tickets/queue.html"
    try:
        context = _queue_context(request, data, acted=acted)
    except BadQueueKey:
        if not after_action:
            return HttpResponseBadRequest(_("This page link is not valid. Open the queue again."))
        # After an action the answer is the queue all the same: its first page.
        data = data.copy()
        data.pop("after", None)
        data.pop("before", None)
        context = _queue_context(request, data, acted=acted)
    return render(request, template, context, status=status)


@engineer_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All tickets (by default the open ones) in time-to-breach order, filtered."""
    return _render_queue(request, request.GET)


def _back(
    request: AuthenticatedHttpRequest, ticket: Ticket | None = None, *, changed: bool = False
) -> HttpResponse:
    """The refreshed queue fragment (htmx from the queue), else a redirect back. When
    `changed`, the ticket was just changed: if that moved it off the page, the answer says so."""
    if request.htmx and request.POST.get("from") == "queue":
        return _render_queue(
            request,
            QueryDict(request.POST.get("filters", "")),
            after_action=True,
            acted=ticket if changed else None,
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    if ticket is not None:
        return redirect("ticket_detail", pk=ticket.pk)
    return redirect("queue")


def _act(
    request: AuthenticatedHttpRequest,
    pk: int,
    action: Callable[[Ticket, int | None], object],
    success: str,
    *,
    needs_version: bool = True,
) -> HttpResponse:
    """Run one row action; a change that overwrites (everything but a reply) must come
    with the version the page showed, so it is refused, never forced, without one."""
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    version = parse_id(request.POST.get("version"))
    if needs_version and version is None:
        messages.error(request, PAGE_OUT_OF_DATE)
        return _back(request, ticket)
    try:
        action(ticket, version)
    except (ValidationError, DomainError) as error:
        messages.error(request, _error_text(error))
        return _back(request, ticket)
    messages.success(request, success % {"ticket": ticket.reference})
    return _back(request, ticket, changed=True)


COUNTDOWN_IDS_MAX = 200


@engineer_required
@require_http_methods(["GET"])
def queue_countdowns(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The SLA cells of the rows on screen, recomputed now: the queue page asks every
    minute, so countdowns move and a row that crosses its deadline turns overdue."""
    ids = [parse_id(value) for value in request.GET.getlist("id")]
    if len(ids) > COUNTDOWN_IDS_MAX or not all(ids):
        return HttpResponseBadRequest(_("Give up to 200 ticket ids."))
    now = timezone.now()
    tickets = selectors.tickets_for_countdown(ids=[pk for pk in ids if pk])
    cells = {
        str(row.ticket.pk): {
            "code": row.sla.code,
            "html": render_to_string("tickets/_countdown.html", {"sla": row.sla}, request),
        }
        for row in queue_rows(tickets, now=now)
    }
    return JsonResponse({"cells": cells})


ROW_MENUS = {"actions": "tickets/_queue_actions.html", "reply": "tickets/_queue_reply.html"}


@engineer_required
@require_http_methods(["GET"])
def queue_row_menu(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A row's menu, fetched when it is opened (the page carries none of its options):
    `actions` (assign, status, re-classify) or `reply` (public reply or internal note)."""
    template = ROW_MENUS.get(request.GET.get("part", ""))
    if template is None:
        return HttpResponseBadRequest(_("Unknown menu."))
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    context = {
        "ticket": ticket,
        "engineer_options": _options(_engineers(), ticket.assignee_id),
        "status_options": _options(Status.choices, ticket.status),
        "priority_options": _options([(v, v) for v in Priority.values], ticket.priority),
    }
    return render(request, template, context)


@engineer_required
@require_POST
def queue_take(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Assign the ticket to me, if nobody changed it since I saw it."""
    return _act(
        request,
        pk,
        lambda ticket, version: services.ticket_assign(
            ticket=ticket, actor=request.user, assignee=request.user, expected_version=version
        ),
        _("You took %(ticket)s."),
    )


@engineer_required
@require_POST
def queue_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    value = request.POST.get("assignee", "")
    assignee_id = parse_id(value)
    # A value that is not an id matches no engineer.
    assignee = User.objects.filter(pk=assignee_id).first() if assignee_id is not None else None
    if value and assignee is None:
        messages.error(request, _("Choose an engineer."))
        return _back(request)
    return _act(
        request,
        pk,
        lambda ticket, version: services.ticket_assign(
            ticket=ticket, actor=request.user, assignee=assignee, expected_version=version
        ),
        _("%(ticket)s was assigned."),
    )


@engineer_required
@require_POST
def queue_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda ticket, version: services.ticket_change_status(
            ticket=ticket,
            actor=request.user,
            status=request.POST.get("status", ""),
            expected_version=version,
        ),
        _("The status of %(ticket)s was changed."),
    )


@engineer_required
@require_POST
def queue_priority(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Re-classify the priority; the reason is required and kept on the timeline."""
    return _act(
        request,
        pk,
        lambda ticket, version: services.ticket_change_priority(
            ticket=ticket,
            actor=request.user,
            priority=request.POST.get("priority", ""),
            reason=request.POST.get("reason", ""),
            expected_version=version,
        ),
        _("%(ticket)s was re-classified and its deadline recomputed."),
    )


@engineer_required
@require_POST
def queue_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reply publicly or add an internal note (with attachments) without leaving the queue."""
    is_public = request.POST.get("visibility", "public") != "internal"
    return _act(
        request,
        pk,
        lambda ticket, version: macros.ticket_reply_with_macro(
            ticket=ticket,
            macro=macros.macro_for_reply(request.user, request.POST.get("macro")),
            author=request.user,
            body=request.POST.get("body", ""),
            is_public=is_public,
            attachments=request.FILES.getlist("attachments"),
        ),
        _("Your reply to %(ticket)s was sent.") if is_public else _("Note added to %(ticket)s."),
        needs_version=False,
    )


@engineer_required
@require_POST
def queue_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign and/or change the status of the selected rows."""
    user = request.user
    versions = {
        ticket_id: parse_id(request.POST.get(f"version_{ticket_id}"))
        for ticket_id in (parse_id(value) for value in request.POST.getlist("ids"))
        if ticket_id
    }
    target = request.POST.get("bulk_assignee", "")
    assignee = user if target == "me" else None
    assignee_id = parse_id(target)
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id).first()
    status = request.POST.get("bulk_status", "")
    if not versions:
        messages.error(request, _("Select at least one ticket."))
    elif None in versions.values():
        messages.error(request, PAGE_OUT_OF_DATE)
    elif not (assignee or target == "nobody" or status):
        messages.error(request, _("Choose an assignee or a status for the selected tickets."))
    else:
        try:
            result = services.tickets_bulk_update(
                actor=user,
                versions=versions,
                assignee=assignee,
                unassign=target == "nobody",
                status=status,
            )
        except (ValidationError, DomainError) as error:
            messages.error(request, _error_text(error))
        else:
            if result.changed:
                messages.success(
                    request,
                    _("Changed: %(tickets)s.")
                    % {"tickets": ", ".join(ticket.reference for ticket in result.changed)},
                )
            for reference, message in result.refused:
                messages.error(request, f"{reference}: {message}")
    return _back(request)


@engineer_required
@require_POST
def saved_view_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = services.saved_view_save(
                user=request.user, name=form.cleaned_data["name"], query=query
            )
        except (ValidationError, DomainError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    else:
        messages.error(request, _("Give the view a name."))
    if request.htmx:
        return _render_queue(request, QueryDict(query))
    return redirect(reverse("queue") + (f"?{query}" if query else ""))


@engineer_required
@require_POST
def saved_view_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    services.saved_view_delete(user=request.user, view_id=pk)
    messages.success(request, _("The view was removed."))
    if request.htmx:
        return _render_queue(request, QueryDict(""))
    return redirect("queue")


@engineer_required
def ticket_presence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Heartbeat from a staff ticket page; answers who else has the ticket open."""
    ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
    try:
        viewers = services.presence_heartbeat(ticket_id=ticket.pk, user=request.user)
    except services.PresenceUnavailable as error:
        # Presence lives in the cache only: without it the page says so and carries on.
        logger.warning("Presence unavailable for ticket %s: the cache fails (%s)", pk, error)
        context = {"ticket": ticket, "others": [], "unavailable": True}
        return render(request, "tickets/_presence.html", context)
    others = [name for user_id, name in viewers.items() if user_id != request.user.pk]
    return render(request, "tickets/_presence.html", {"ticket": ticket, "others": others})


def _phone_form(request: AuthenticatedHttpRequest, data: QueryDict | None) -> PhoneTicketForm:
    source = data if data is not None else request.GET
    organization_id = parse_id(source.get("organization"))
    return PhoneTicketForm(
        data,
        organizations=Organization.objects.order_by("name"),
        requesters=selectors.requester_choices(organization_id=organization_id),
        initial={"organization": organization_id},
    )


@engineer_required
@require_http_methods(["GET", "POST"])
def phone_ticket_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log a ticket on a customer's behalf (refused for Community, per the policy)."""
    form = _phone_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=data["requester"],
                subject=data["subject"],
                description=data["description"],
                impact=data["impact"],
                urgency=data["urgency"],
                product=data["product"],
                channel=Channel.PHONE,
                created_by=request.user,
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Phone ticket %(reference)s is logged.") % {"reference": ticket.reference},
            )
            return redirect("ticket_detail", pk=ticket.pk)
    return render(
        request,
        "tickets/phone_ticket_new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@engineer_required
def phone_requesters(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requester choices of the organization picked on the phone form (htmx)."""
    form = _phone_form(request, None)
    return render(request, "tickets/_requester_field.html", {"field": form["requester"]})
