"""The server-error handler: a database outage answers a friendly 503, the rest a 500.

Django calls `handler500` for any exception a view or middleware lets through, while that
exception is being handled, so `sys.exc_info()` still names it. When the database does
not answer (OperationalError, InterfaceError), the request cannot be served but a retry
later can: 503 with Retry-After, as a page in the user's language or, under `/api/`, as
JSON. Nothing here may touch the database: the page renders without a request context
(no user, session or context processors), and the language comes from what LocaleMiddleware
read from the browser (cookie, Accept-Language), never from the user's profile.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 60
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def caused_by_database_outage(error: BaseException | None) -> bool:
    """Is `error`, or an exception it was raised from or during, a database outage?"""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _language(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", None)
    return language or translation.get_language_from_request(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is down: JSON under /api/, else a page needing nothing."""
    language = _language(request)
    with translation.override(language):
        response: HttpResponse
        if request.path.startswith("/api/"):
            detail = _("The service is temporarily unavailable. Please try again in a few minutes.")
            response = JsonResponse({"detail": detail}, status=503)
        else:
            page = render_to_string("503.html", {"LANGUAGE_CODE": translation.get_language()})
            response = HttpResponse(page, status=503)
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a database outage is a 503 (retry later); anything else a 500."""
    if caused_by_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
