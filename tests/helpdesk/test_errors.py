"""The server-error handler: a database outage is a 503 that needs no database.

In-process companions of test_database_down.py (which runs gunicorn against a closed
port): here every connection attempt raises OperationalError, as psycopg's would.
"""

import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory

from helpdesk import errors

SESSION_COOKIE = "0123456789abcdefghijklmnopqrstuv"


@pytest.fixture
def database_down(db):
    """Every connection attempt fails until the test ends (then the test database's
    own teardown needs the connection back, so the patch is undone first)."""

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        yield


@pytest.fixture
def signed_in_browser() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = SESSION_COOKIE
    return client


def test_a_page_answers_the_friendly_503_when_the_database_is_down(
    database_down, signed_in_browser, caplog
):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = signed_in_browser.get("/tickets/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "The helpdesk is temporarily unavailable" in response.content.decode()
    assert any("Service Unavailable: /tickets/" in r.getMessage() for r in caplog.records)


def test_the_503_page_is_in_portuguese_for_a_portuguese_browser(database_down, signed_in_browser):
    response = signed_in_browser.get("/tickets/", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 503
    assert response["Content-Language"] == "pt-br"
    assert "A central de suporte está temporariamente indisponível" in response.content.decode()


def test_the_api_answers_json_503_when_the_database_is_down(database_down, signed_in_browser):
    response = signed_in_browser.get("/api/v1/tickets/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Please try again in a few minutes."
    }


def _handle(exception: Exception, path: str = "/tickets/"):
    request = RequestFactory().get(path)
    try:
        raise exception
    except Exception:
        return errors.server_error(request)


def test_an_interface_error_is_a_database_outage_too():
    assert _handle(InterfaceError("connection already closed")).status_code == 503


def test_an_error_raised_while_handling_a_database_error_is_an_outage():
    def fail() -> None:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as error:
            raise RuntimeError("cleanup failed") from error

    request = RequestFactory().get("/")
    try:
        fail()
    except RuntimeError:
        assert errors.server_error(request).status_code == 503


def test_any_other_error_is_still_the_500_page():
    response = _handle(ValueError("a bug"))
    assert response.status_code == 500
    assert "Retry-After" not in response
