"""Request checks that apply to every page before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.shortcuts import render
from django.utils.cache import patch_cache_control
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


class PrivatePagesMiddleware:
    """A page served to a signed-in user is theirs: no shared or browser cache keeps it
    (`Cache-Control: private, no-store`), so the back button after log-out or a proxy
    shows nobody else a ticket. A view that set its own Cache-Control keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


UNNAMED_UPLOAD = "attachment"


class _KeepUnnamedFilesParser(MultiPartParser):
    """Django drops a file part whose name is empty after cleaning (only control
    characters, `.` or `..`), silently: the ticket would be saved without it. Here such a
    file is kept under a neutral name instead."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        cleaned: str | None = super().sanitize_file_name(file_name)
        return cleaned or UNNAMED_UPLOAD


class KeepUnnamedUploadsMiddleware:
    """Parses this request's multipart body with `_KeepUnnamedFilesParser`. Must run
    before anything reads `request.POST` (the CSRF middleware does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def parse_file_upload(meta: Any, post_data: Any) -> Any:
            parser = _KeepUnnamedFilesParser(
                meta, post_data, request.upload_handlers, request.encoding
            )
            return parser.parse()

        request.parse_file_upload = parse_file_upload  # type: ignore[method-assign,assignment]
        return self.get_response(request)
