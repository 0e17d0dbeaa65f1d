"""What a locked-out user is told (django-axes calls `lockout_response`).

Failed log-ins lock the account (from any address) and the address (for any account)
after LOGIN_FAILURE_LIMIT failures, until LOGIN_COOLOFF_MINUTES pass or an administrator
deletes the attempts in the admin (Axes > Access attempts). Once locked, the password is
not even checked, so guessing costs the server nothing.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts.forms import LoginForm


def attempted_username(request: HttpRequest, credentials: dict[str, object] | None) -> str:
    """The account a log-in names, as one key whatever its case or spaces: `Ana@X.com `
    and `ana@x.com` are one account to lock, as they are one account to log in to."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name).strip().lower()


def cool_off() -> timedelta:
    cooloff = settings.AXES_COOLOFF_TIME
    assert isinstance(cooloff, timedelta)
    return cooloff


def lockout_message() -> str:
    minutes = max(1, math.ceil(cool_off().total_seconds() / 60))
    return ngettext(
        "Too many failed log-in attempts for this account or from this address. Try again "
        "in %(minutes)d minute, or ask an administrator to unlock the account.",
        "Too many failed log-in attempts for this account or from this address. Try again "
        "in %(minutes)d minutes, or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """429 with Retry-After: JSON for the API, the log-in page with the reason elsewhere."""
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        # Unbound: validating the posted form again would count one more failure.
        form = LoginForm(request, initial={"username": request.POST.get("username", "")})
        response = render(
            request,
            "registration/login.html",
            {"form": form, "lockout_message": message},
            status=429,
        )
        response["Cache-Control"] = "private, no-store"
    response["Retry-After"] = str(int(cool_off().total_seconds()))
    return response
