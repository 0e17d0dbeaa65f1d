"""Browser: a customer logs in and sees the home page; a wrong password shows an error."""

import pytest

from tests.factories import PASSWORD, CustomerFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_logs_in_and_sees_home(page):
    org = OrganizationFactory(name="Acme Backup Ltda", time_zone="America/Sao_Paulo")
    CustomerFactory(email="ana@acme.example", first_name="Ana", organization=org)
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("E-mail address").fill("ana@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Hello, Ana").is_visible()
    assert "Acme Backup Ltda" in page.content()


def test_wrong_password_shows_an_error(page):
    CustomerFactory(email="ana@acme.example")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("ana@acme.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").first.is_visible()
    assert "do not match" in page.content()
    assert "/accounts/login/" in page.url
