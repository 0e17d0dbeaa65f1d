"""The product runs with exactly the production image's settings.

Static files are collected by the Dockerfile's own command line, then gunicorn serves
the product with the web container's environment: DEBUG off, the manifest static
storage, real password hashers. A customer and an engineer log in through the real
form and fetch their pages, whose hashed static files answer too. No docker needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpdesk import production

pytestmark = pytest.mark.gunicorn

PASSWORD = "production-test-password-7f3a"
CREATE_USERS = f"""
from accounts.models import Role
from accounts.services import organization_create, user_create
organization = organization_create(name="Production Check Ltd")
user_create(email="customer@example.com", password="{PASSWORD}", role=Role.CUSTOMER,
            organization=organization, first_name="Carla")
user_create(email="engineer@example.com", password="{PASSWORD}", role=Role.ENGINEER,
            first_name="Enzo")
"""


@pytest.fixture(scope="module")
def server(
    production_static_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[production.Browser]:
    folder = tmp_path_factory.mktemp("production")
    env = production.runtime_env(
        static_root=production_static_root,
        database_url=f"sqlite:///{folder / 'db.sqlite3'}",
        media_root=folder / "media",
    )
    for command in (("migrate", "--noinput"), ("shell", "-c", CREATE_USERS)):
        result = production.manage(env, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    with production.gunicorn(env) as browser:
        yield browser


def test_the_dockerfile_collects_a_manifest_for_the_production_storage(production_static_root):
    assert (production_static_root / "staticfiles.json").exists(), (
        "collectstatic wrote no manifest: the image's pages would all answer 500"
    )


def test_healthz_and_readyz_answer_200(server):
    assert server.get("/healthz").status == 200
    readiness = server.get("/readyz")
    assert readiness.status == 200
    assert '"database": {"ok": true, "state": "up"}' in readiness.body


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_reach_the_health_endpoints_over_plain_http(server, path):
    # The container's health check and load balancers call http:// inside the network,
    # without the TLS proxy's header: no redirect to https for them.
    assert production.Browser(server.port, behind_proxy=False).get(path).status == 200


def _assert_hashed_stylesheet_is_served(page: production.Response, browser) -> None:
    match = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.body)
    assert match, "the page does not reference the hashed stylesheet"
    stylesheet = production.Browser(browser.port).get(match.group(1))
    assert stylesheet.status == 200
    assert "max-age" in stylesheet.headers.get("Cache-Control", "")


def test_the_login_page_renders_with_hashed_static_files(server):
    page = production.Browser(server.port).get("/accounts/login/")
    assert page.status == 200, page.body[:500]
    assert "csrfmiddlewaretoken" in page.body
    _assert_hashed_stylesheet_is_served(page, server)


def test_a_customer_logs_in_and_sees_the_portal(server):
    browser = production.Browser(server.port)
    logged_in = browser.log_in("customer@example.com", PASSWORD)
    assert logged_in.status == 302, logged_in.body[:500]
    page = browser.get("/tickets/")
    assert page.status == 200, page.body[:500]
    _assert_hashed_stylesheet_is_served(page, server)


def test_an_engineer_logs_in_and_sees_the_queue(server):
    browser = production.Browser(server.port)
    logged_in = browser.log_in("engineer@example.com", PASSWORD)
    assert logged_in.status == 302, logged_in.body[:500]
    page = browser.get("/tickets/queue/")
    assert page.status == 200, page.body[:500]
    _assert_hashed_stylesheet_is_served(page, server)
    assert re.search(r'src="/static/js/queue\.[0-9a-f]{12}\.js"', page.body)
