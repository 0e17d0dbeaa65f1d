import pytest
from django.core import mail

from accounts.models import Tier, User
from helpdesk.models import OutboxMessage, OutboxState
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Priya",
    "last_name": "Sharma",
    "email": "Priya@Example.com",
    "time_zone": "Asia/Kolkata",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def confirm_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line)
    return line[line.index("/accounts/") :].strip()


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    """Post the sign-up form; the outbox delivers its e-mail after COMMIT."""

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/signup/", data)

    return post


def test_signup_creates_a_community_customer_with_their_own_organization(client, sign_up):
    response = sign_up(GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/sent/"
    user = User.objects.get(email="priya@example.com")
    assert user.is_customer
    assert user.organization.tier == Tier.COMMUNITY
    assert user.organization.time_zone == "Asia/Kolkata"
    assert list(user.organization.members.all()) == [user]
    # Inactive until the link in the e-mail is followed; then signed in.
    assert not user.is_active
    assert [message.to for message in mail.outbox] == [["priya@example.com"]]
    link = confirm_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a GET (a mail scanner) activates nothing
    assert not User.objects.get(pk=user.pk).is_active
    assert client.post(link).status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert "_auth_user_id" in client.session


def test_a_forged_confirmation_link_is_refused(client, sign_up):
    sign_up(GOOD)
    link = confirm_link(mail.outbox[0])
    response = client.post(link[:-3] + "xyz/", follow=True)
    assert "invalid or has expired" in response.content.decode()
    assert not User.objects.get(email="priya@example.com").is_active


def test_signup_answers_the_same_whether_or_not_the_address_has_an_account(sign_up):
    """No enumeration: the page is the same; the owner of the address is told by e-mail."""
    CustomerFactory(email="priya@example.com")
    taken = sign_up({**GOOD, "email": "PRIYA@EXAMPLE.COM"})
    fresh = sign_up({**GOOD, "email": "new@example.com"})
    assert (taken.status_code, taken.get("Location")) == (fresh.status_code, fresh.get("Location"))
    assert "already exists" not in taken.content.decode()
    assert User.objects.filter(email__iexact="priya@example.com").count() == 1
    to_owner = next(message for message in mail.outbox if message.to == ["priya@example.com"])
    assert "already has an account" in to_owner.body
    assert "/accounts/password/reset/" in to_owner.body


def test_signup_refuses_mismatched_or_weak_passwords_without_losing_input(client):
    response = client.post("/accounts/signup/", {**GOOD, "password2": "something-else"})
    assert "password2" in response.context["form"].errors
    assert response.context["form"]["email"].value() == GOOD["email"]
    response = client.post("/accounts/signup/", {**GOOD, "password1": "123", "password2": "123"})
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


def test_login_accepts_the_email_in_any_case(client):
    CustomerFactory(email="dana@example.com")
    response = client.post(
        "/accounts/login/", {"username": "DANA@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


def test_wrong_password_shows_an_error(client):
    CustomerFactory(email="dana@example.com")
    response = client.post("/accounts/login/", {"username": "dana@example.com", "password": "no"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_password_reset_sends_an_email_with_a_working_link(
    client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="erin@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "erin@example.com"})
    # Through the outbox, like every e-mail the product sends.
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line)
    path = link[link.index("/accounts/") :].strip()
    response = client.get(path, follow=True)
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "fresh-secret-phrase", "new_password2": "fresh-secret-phrase"}
    )
    assert response.status_code == 302
    # Through the log-in form: the lockout (django-axes) needs the request authenticate() gets.
    response = client.post(
        "/accounts/login/", {"username": "erin@example.com", "password": "fresh-secret-phrase"}
    )
    assert response.status_code == 302


def test_password_change(customer_client, customer):
    response = customer_client.post(
        "/accounts/password/change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("another-long-phrase")
