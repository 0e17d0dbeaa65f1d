"""Request types for annotations: what the middleware and the view guards guarantee.

Nothing builds these classes; a view annotated with one says what it may rely on,
and mypy checks the view against it (django-stubs' recommended pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """Any request: django-htmx's middleware (installed for every request) sets `htmx`."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind `login_required`, `engineer_required` or `manager_required`."""

    user: User


class AuthenticatedRequest(Request):
    """An API request behind `IsAuthenticated`, the API's default permission."""

    user: User
