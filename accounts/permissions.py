"""Role checks for views: staff pages refuse customers and anonymous users."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from helpdesk.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]


def engineer_required(view: View) -> View:
    """Engineers and managers only; anonymous users go to the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_engineer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view: View) -> View:
    """Managers only; anonymous users go to the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_manager:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
