"""How API callers authenticate, beyond the browser's session.

HTTP basic auth is off unless API_BASIC_AUTH is set: a password sent with every call is a
password guessed with every call. When on, it goes through the same lockout as the web
log-in (django-axes), and a locked-out caller gets 429 with Retry-After.
"""

from __future__ import annotations

from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication
from rest_framework.request import Request

from accounts.lockout import cool_off, lockout_message


class LockedOut(exceptions.Throttled):
    def __init__(self) -> None:
        super().__init__(wait=cool_off().total_seconds(), detail=lockout_message())


class LockableBasicAuthentication(BasicAuthentication):
    """Basic auth when API_BASIC_AUTH is on, counted by the log-in lockout."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        if not settings.API_BASIC_AUTH:
            return None
        return super().authenticate(request)

    def authenticate_header(self, request: Request) -> str | None:
        if not settings.API_BASIC_AUTH:
            return None
        return super().authenticate_header(request)

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple[Any, None]:
        # The Django request, so the lockout middleware sees what the backend marked on it.
        django_request = request._request if request is not None else None
        try:
            user = authenticate(request=django_request, username=userid, password=password)
        except AxesBackendPermissionDenied as locked:
            raise LockedOut() from locked
        if user is None:
            if django_request is not None and getattr(django_request, "axes_locked_out", False):
                raise LockedOut()
            raise exceptions.AuthenticationFailed(_invalid())
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_invalid())
        return (user, None)


def _invalid() -> str:
    return _("Invalid e-mail address or password.")


class LockableBasicScheme(BasicScheme):
    """The OpenAPI security scheme of basic auth, for the lockable class."""

    target_class = "accounts.authentication.LockableBasicAuthentication"
