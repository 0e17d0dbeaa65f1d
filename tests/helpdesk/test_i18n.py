import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_login_page_in_english_by_default(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forgot your password?" in html
    assert '<html lang="en">' in html


def test_login_page_in_brazilian_portuguese_from_the_browser(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").content.decode()
    assert "Esqueceu sua senha?" in html
    assert '<html lang="pt-br">' in html


def test_profile_language_wins_over_the_browser(client):
    user = CustomerFactory(language="pt-br")
    client.force_login(user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sair" in html  # "Log out"


def test_times_follow_the_user_time_zone(client):
    user = CustomerFactory(time_zone="Asia/Tokyo")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Times are shown in Japan Time (Tokyo)." in html
    assert "Asia/Tokyo" not in html
