"""System checks of the project's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Links in e-mails are built from SITE_URL: in production it must be the address
    users reach the web at, not the development default on this machine."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in e-mails would point at this "
                "machine, not at the address users reach the web at.",
                hint="Set SITE_URL, e.g. https://helpdesk.example.com",
                id="helpdesk.W001",
            )
        ]
    return []
