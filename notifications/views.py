"""Staff notifications: the list, opening one, and the bell's polled count."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import engineer_required
from helpdesk.http import AuthenticatedHttpRequest
from notifications import selectors, services

BELL_POLL_SECONDS = 30


@engineer_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in engineer's notifications, newest first, unread ones highlighted."""
    page = Paginator(selectors.notification_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "notifications": page.object_list,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@engineer_required
@require_http_methods(["GET", "POST"])
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Go where the notification points (its ticket); a POST (the list's button) also marks
    it read. A GET changes nothing: a prefetch or a link scanner must not read it for you."""
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    if request.method == "POST":
        services.notification_mark_read(notification=notification)
    return redirect(services.notification_url(notification))


@require_POST
@engineer_required
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(recipient=request.user)
    return redirect("notifications:list")


@engineer_required
def notification_bell(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bell with its unread count: an htmx fragment the top bar polls."""
    return render(
        request,
        "notifications/_bell.html",
        {"unread": selectors.unread_count(user=request.user), "poll_seconds": BELL_POLL_SECONDS},
    )
