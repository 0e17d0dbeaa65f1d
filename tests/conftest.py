"""Shared fixtures: role users, service checks and the browser.

Tests marked `postgres`, `redis`, `browser`, `compose` or `imap` need a real service or
tool. Without it they skip with the reason, unless REQUIRE_SERVICES=1 (CI), which
turns each such skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory

CHROMIUM = "/usr/bin/chromium"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_reachable() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return None
    except OSError as exc:
        return f"Redis at {url} does not answer: {exc}"


def _postgres_configured() -> str | None:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def _browser_available() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _compose_available() -> str | None:
    if shutil.which("docker-compose") is None:
        return "docker-compose is not installed (apt-get install docker-compose)"
    return None


def _dovecot_available() -> str | None:
    if not os.path.exists("/usr/sbin/dovecot"):
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher, as cookiecutter-django's test settings use: factory users
    hashed with full PBKDF2 cost about a second each on two cores. Processes that a test
    starts (gunicorn, Celery) keep the real hashers of their settings."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SERVICE_CHECKS = {
    "postgres": _postgres_configured,
    "redis": _redis_reachable,
    "browser": _browser_available,
    "compose": _compose_available,
    "imap": _dovecot_available,
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, check in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = check()
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {marker} is unavailable: {reason}")
        pytest.skip(f"{marker} unavailable: {reason}")


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def customer(db, organization):
    return CustomerFactory(organization=organization)


@pytest.fixture
def engineer(db):
    return EngineerFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def engineer_client(client, engineer):
    client.force_login(engineer)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the session, driven by Playwright."""
    reason = _browser_available()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but the browser is unavailable: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself (fixtures, assertions) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db) -> None:
    """Re-apply the data migrations' seeds: a transactional test's flush removes them."""
    from importlib import import_module

    from django.apps import apps

    import_module("accounts.migrations.0002_role_groups").create_role_groups(apps, None)
    import_module("sla.migrations.0002_seed_policy").seed_policy(apps, None)


@pytest.fixture
def page(browser, live_server, seeded) -> Iterator[object]:
    """A fresh browser context per test (own cookies), base URL = the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
