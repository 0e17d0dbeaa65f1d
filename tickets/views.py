"""Web views for tickets: parse input, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Tier, User
from accounts.selectors import staff_users
from helpdesk.exceptions import DomainError
from helpdesk.forms import apply_errors
from helpdesk.http import AuthenticatedHttpRequest
from helpdesk.keyset import InvalidCursor
from sla import explain as sla_explain
from sla import services as sla_services
from sla.models import Level, Priority
from tickets import links, macros, selectors, services, thumbnails
from tickets.attachments import is_inline
from tickets.forms import (
    PriorityChangeForm,
    PriorityPreviewForm,
    ReplyForm,
    StaffReplyForm,
    StatusChangeForm,
    TicketCreateForm,
)
from tickets.models import LinkKind, Status, Ticket


@login_required
def portal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My tickets / Organization tickets with search, filters, sorting and pages."""
    user = request.user
    community = bool(user.organization and user.organization.tier == Tier.COMMUNITY)
    default_scope = "all" if user.is_engineer else "mine"
    scope = request.GET.get("scope", default_scope)
    if scope not in ("mine", "organization", "all") or community:
        scope = "mine"
    filters = {
        "status": request.GET.get("status", ""),
        "priority": request.GET.get("priority", ""),
        "query": request.GET.get("q", ""),
        "sort": request.GET.get("sort", "activity"),
    }
    try:
        page = selectors.portal_ticket_page(
            user=user,
            scope=scope,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            **filters,
        )
    except InvalidCursor:
        raise BadRequest("invalid cursor") from None
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(
        request,
        "tickets/portal_list.html",
        {
            "page": page,
            "scope": scope,
            "community": community,
            "filters": filters,
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "query_string": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """File a ticket: impact and urgency give the priority, shown live; override with reason."""
    user = request.user
    if user.is_engineer or user.organization is None:
        messages.info(request, _("Support staff log tickets for customers from the queue."))
        return redirect("portal_list")
    colleagues = selectors.organization_colleagues(user)
    if user.organization.tier == Tier.COMMUNITY:
        colleagues = colleagues.none()
    form = TicketCreateForm(request.POST or None, request.FILES or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=user,
                subject=data["subject"],
                description=data["description"],
                impact=data["impact"],
                urgency=data["urgency"],
                priority_override=data["priority_override"] or None,
                override_reason=data["override_reason"],
                product=data["product"],
                component=data["component"],
                cc=list(data.get("cc") or []),
                attachments=data["attachments"],
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Ticket %(reference)s is filed.") % {"reference": ticket.reference}
            )
            return redirect("ticket_detail", pk=ticket.pk)
    matrix = sla_services.priority_matrix()
    preview = None
    if form.is_bound:
        preview_form = PriorityPreviewForm(request.POST)
        if preview_form.is_valid():
            preview = _priority_preview(user, preview_form)
    return render(
        request,
        "tickets/ticket_new.html",
        {
            "form": form,
            "matrix_rows": [
                (urgency, label, [matrix[impact][urgency] for impact in Level.values])
                for urgency, label in Level.choices
            ],
            "preview": preview,
        },
    )


def _priority_preview(user: User, form: PriorityPreviewForm) -> services.PriorityPreview | None:
    data = form.cleaned_data
    return services.ticket_priority_preview(
        requester=user,
        impact=data["impact"],
        urgency=data["urgency"],
        priority_override=data["priority_override"] or None,
    )


@login_required
@require_GET
def ticket_new_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new-ticket form's priority panel (an htmx fragment): the priority the ticket
    would get, its first-response target and due instant, and whether the clock waits."""
    user = request.user
    if user.is_engineer or user.organization is None:
        raise Http404
    form = PriorityPreviewForm(request.GET)
    if not form.is_valid():
        return render(request, "tickets/_priority_preview.html", {"preview_form": form}, status=400)
    try:
        preview = _priority_preview(user, form)
    except ValidationError as error:
        apply_errors(form, error)
        return render(request, "tickets/_priority_preview.html", {"preview_form": form}, status=400)
    return render(request, "tickets/_priority_preview.html", {"preview": preview})


def _priority_form(ticket: Ticket) -> PriorityChangeForm:
    """The priority form, carrying the version the viewer saw (no lost updates)."""
    return PriorityChangeForm(initial={"priority": ticket.priority, "version": ticket.version})


@login_required
def ticket_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ticket = selectors.ticket_get_visible(user=user, pk=pk)
    reply_form = (StaffReplyForm if user.is_engineer else ReplyForm)()
    priority_form = _priority_form(ticket)
    return render(
        request,
        "tickets/ticket_detail.html",
        _detail_context(request, ticket, reply_form=reply_form, priority_form=priority_form),
    )


def _detail_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, **forms: Form
) -> dict[str, object]:
    user = request.user
    clocks = sla_explain.ticket_clocks_explained(ticket=ticket)
    comments = selectors.ticket_conversation_page(ticket=ticket, viewer=user)
    events = selectors.ticket_timeline_page(ticket=ticket, viewer=user)
    return {
        "ticket": ticket,
        "comments": comments,
        "events": events,
        "files": selectors.ticket_files(ticket=ticket, viewer=user),
        "clocks": clocks,
        "cc": list(ticket.cc.all()),
        "can_close": ticket.status != Status.CLOSED,
        "can_reopen": ticket.status in (Status.SOLVED, Status.CLOSED),
        "priorities": Priority.choices,
        "statuses": Status.choices,
        "engineers": list(staff_users()) if user.is_engineer else [],
        "links": links.ticket_links(ticket=ticket, viewer=user),
        "link_kinds": LinkKind.choices,
        **forms,
    }


@login_required
@require_GET
def ticket_earlier(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Earlier replies ("conversation") or timeline lines ("history") of a ticket than its
    page shows, a page at a time, oldest of the page first."""
    user = request.user
    ticket = selectors.ticket_get_visible(user=user, pk=pk)
    read = (
        selectors.ticket_conversation_page
        if kind == "conversation"
        else selectors.ticket_timeline_page
    )
    try:
        page = read(ticket=ticket, viewer=user, after=request.GET.get("after"))
    except InvalidCursor:
        raise BadRequest("invalid cursor") from None
    return render(
        request,
        "tickets/ticket_earlier.html",
        {"ticket": ticket, "kind": kind, "page": page},
    )


@login_required
@require_POST
def ticket_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ticket = selectors.ticket_get_visible(user=user, pk=pk)
    form = (StaffReplyForm if user.is_engineer else ReplyForm)(request.POST, request.FILES)
    if form.is_valid():
        try:
            # A macro applied in the reply box adds its actions when the reply is sent.
            macros.ticket_reply_with_macro(
                ticket=ticket,
                macro=macros.macro_for_reply(user, request.POST.get("macro")),
                author=user,
                body=form.cleaned_data["body"],
                is_public=form.cleaned_data.get("is_public", True),
                attachments=form.cleaned_data["attachments"],
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your message was added."))
            return redirect("ticket_detail", pk=ticket.pk)
    return render(
        request,
        "tickets/ticket_detail.html",
        _detail_context(
            request,
            ticket,
            reply_form=form,
            priority_form=_priority_form(ticket),
        ),
        status=400,
    )


@login_required
@require_POST
def ticket_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close or reopen (customers); any allowed transition (staff)."""
    user = request.user
    ticket = selectors.ticket_get_visible(user=user, pk=pk)
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        for error in [*form.non_field_errors(), *form.errors.get("status", [])]:
            messages.error(request, str(error))
        return render(
            request,
            "tickets/ticket_detail.html",
            _detail_context(
                request,
                ticket,
                reply_form=(StaffReplyForm if user.is_engineer else ReplyForm)(),
                priority_form=_priority_form(ticket),
            ),
            status=400,
        )
    try:
        services.ticket_change_status(
            ticket=ticket,
            actor=user,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, DomainError) as error:
        text = error.message if isinstance(error, DomainError) else " ".join(error.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("The ticket's status was changed."))
    return redirect("ticket_detail", pk=ticket.pk)


@login_required
@require_POST
def ticket_priority(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Customer override or engineer re-classification, always with a reason."""
    user = request.user
    ticket = selectors.ticket_get_visible(user=user, pk=pk)
    form = PriorityChangeForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_change_priority(
                ticket=ticket,
                actor=user,
                priority=form.cleaned_data["priority"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The priority was changed and the deadline recomputed."))
            return redirect("ticket_detail", pk=ticket.pk)
    reply_form = (StaffReplyForm if user.is_engineer else ReplyForm)()
    return render(
        request,
        "tickets/ticket_detail.html",
        _detail_context(request, ticket, reply_form=reply_form, priority_form=form),
        status=400,
    )


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Serve a file only to those who may see its ticket; non-images always as downloads."""
    attachment = selectors.attachment_get_visible(user=request.user, pk=pk)
    inline = is_inline(attachment.content_type)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_thumbnail(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A small preview of an image attachment, to whoever may download the attachment
    (the same selector: anyone else gets 404); 404 too for a file that is not a readable
    image, so a broken upload shows its name and no preview."""
    attachment = selectors.attachment_get_visible(user=request.user, pk=pk)
    try:
        storage, name = thumbnails.attachment_thumbnail(attachment=attachment)
    except thumbnails.ThumbnailUnavailable as error:
        raise Http404(_("No preview of this file.")) from error
    response = FileResponse(
        storage.open(name, "rb"), content_type=thumbnails.THUMBNAIL_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Private: who may see it is decided per user; it never changes, so the browser keeps it.
    response["Cache-Control"] = "private, max-age=300"
    return response
