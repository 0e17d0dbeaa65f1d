"""Brute force: failed logins lock the account and the address, on the web and the API.

The lockout (django-axes) is keyed by account and, separately, by client address; it is
explained to the user, lifts after the cool-off, and an administrator can clear it.
"""

from __future__ import annotations

import base64
import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def log_in(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_after_many_wrong_ones_is_refused_and_explained(client, settings):
    user = CustomerFactory()
    for _ in range(50):
        log_in(client, user.email, "wrong")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    text = response.content.decode()
    assert "Too many failed log-in attempts" in text
    assert "15 minutes" in text
    assert int(response["Retry-After"]) > 0


def test_lockout_is_per_account_across_addresses(client, settings):
    user = CustomerFactory()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, "wrong", address=f"10.0.1.{attempt}")
    assert log_in(client, user.email, PASSWORD, address="10.9.9.9").status_code == 429
    assert not logged_in(client)


def test_lockout_is_per_address_across_accounts(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, CustomerFactory().email, "wrong", address="10.0.2.1")
    other = CustomerFactory()
    assert log_in(client, other.email, PASSWORD, address="10.0.2.1").status_code == 429
    assert log_in(client, other.email, PASSWORD, address="10.0.2.2").status_code == 302
    assert logged_in(client)


def test_lockout_lifts_after_the_cool_off(client, settings):
    user = CustomerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, "wrong")
    later = datetime.datetime.now(datetime.UTC) + settings.AXES_COOLOFF_TIME
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        assert log_in(client, user.email, PASSWORD).status_code == 302
    assert logged_in(client)


def test_an_administrator_clears_the_lockout_in_the_admin(client, admin_user, settings):
    from axes.models import AccessAttempt

    user = CustomerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, "wrong")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    client.logout()
    assert log_in(client, user.email, PASSWORD).status_code == 302


def basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)


@override_settings(API_BASIC_AUTH=True)
def test_api_basic_auth_locks_out_without_hashing_the_password(client, settings):
    user = CustomerFactory()
    for _ in range(50):
        response = client.get(
            "/api/v1/tickets/",
            HTTP_AUTHORIZATION=basic(user.email, "wrong"),
            REMOTE_ADDR="10.0.3.1",
        )
        assert response.status_code in (401, 429)
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    user.set_password(PASSWORD)
    user.save()
    CountingHasher.calls = 0
    response = client.get(
        "/api/v1/tickets/", HTTP_AUTHORIZATION=basic(user.email, PASSWORD), REMOTE_ADDR="10.0.3.2"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed" in response.json()["detail"]
    assert CountingHasher.calls == 0
