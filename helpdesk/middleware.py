"""Request checks that apply to every page before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from helpdesk.inputs import contains_nul

# The API validates its JSON bodies itself (DRF's CharField refuses NUL); inbound mail
# webhooks carry raw messages that the mail parser cleans.
_RAW_BODY_PREFIXES = ("/api/", "/inbound/")


def _items(query: QueryDict) -> list[str]:
    return [text for key, values in query.lists() for text in (key, *values)]


class RejectNulBytesMiddleware:
    """A NUL character in a query parameter or form field is a 400 that says so.

    PostgreSQL cannot store or compare text holding NUL; no user types one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = _items(request.GET)
        if request.method == "POST" and not request.path.startswith(_RAW_BODY_PREFIXES):
            fields += _items(request.POST)
        if contains_nul(fields):
            if request.path.startswith("/api/"):
                message = _("A parameter holds a NUL character, which no text may contain.")
                return JsonResponse({"detail": message}, status=400)
            return render(request, "400.html", status=400)
        return self.get_response(request)
