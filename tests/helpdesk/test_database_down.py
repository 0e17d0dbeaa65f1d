"""While PostgreSQL is down, users get a friendly 503 page, not a bare 500.

gunicorn serves the product with the production image's settings and a DATABASE_URL
at a closed port: every query really fails. A signed-in user's request needs the
database from the first middleware that reads the session, so most requests carry a
session cookie as a signed-in browser does. What needs no database still works: an
anonymous visitor gets the login form, and its submission answers the 503 page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpdesk import production

pytestmark = pytest.mark.gunicorn

SIGNED_IN = {"Cookie": "sessionid=0123456789abcdefghijklmnopqrstuv"}


@pytest.fixture(scope="module")
def server(
    production_static_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[production.Browser]:
    env = production.runtime_env(
        static_root=production_static_root,
        database_url="postgres://postgres@127.0.0.1:1/helpdesk",
        media_root=tmp_path_factory.mktemp("media"),
    )
    with production.gunicorn(env) as browser:
        yield browser


@pytest.mark.parametrize("path", ["/accounts/login/", "/tickets/", "/tickets/queue/", "/"])
def test_pages_answer_a_friendly_503_while_the_database_is_down(server, path):
    response = server.get(path, **SIGNED_IN)
    assert response.status == 503, response.body[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "temporarily unavailable" in response.body
    assert "Server Error (500)" not in response.body
    assert int(response.headers["Retry-After"]) > 0


def test_an_anonymous_visitor_gets_the_login_form_and_its_submission_answers_503(server):
    browser = production.Browser(server.port)
    response = browser.log_in("customer@example.com", "any password")
    assert response.status == 503, response.body[:500]
    assert "temporarily unavailable" in response.body


def test_the_503_page_speaks_the_browsers_language(server):
    response = server.get("/tickets/", **SIGNED_IN, **{"Accept-Language": "pt-BR,pt;q=0.9"})
    assert response.status == 503
    assert "temporariamente indisponível" in response.body
    assert '<html lang="pt-br">' in response.body


def test_a_form_post_also_answers_503(server):
    # A reply posted by a signed-in user: the session is read before the CSRF check.
    response = server.request("POST", "/tickets/1/reply/", body="body=hi", headers=SIGNED_IN)
    assert response.status == 503
    assert "temporarily unavailable" in response.body


def test_the_api_answers_a_json_503(server):
    response = server.get("/api/v1/tickets/", **SIGNED_IN)
    assert response.status == 503, response.body[:500]
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == {
        "detail": "The service is temporarily unavailable. Please try again in a few minutes."
    }
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_liveness_and_readiness_answer_503(server, path):
    response = server.get(path)
    assert response.status == 503
    body = json.loads(response.body)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "state": "down"}
