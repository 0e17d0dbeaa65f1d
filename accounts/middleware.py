"""Activate the signed-in user's language and time zone for the request."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Language from the profile (else Accept-Language, via LocaleMiddleware);
    time zone from the profile, else the organization's, else UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(ZoneInfo(user.effective_time_zone))
        else:
            timezone.deactivate()
        response = self.get_response(request)
        if user.is_authenticated and user.language:
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
