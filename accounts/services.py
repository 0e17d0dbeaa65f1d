"""Writes for organizations and users. Views, admin, API and commands call these."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, Tier, User
from helpdesk.email import AUTOMATIC, render_html, site_url
from helpdesk.outbox import outbox_enqueue


def organization_create(
    *,
    name: str,
    tier: str = Tier.STANDARD,
    time_zone: str = "UTC",
    country: str = "",
    subdivision: str = "",
    trial_ends_on: datetime.date | None = None,
    account_manager: User | None = None,
) -> Organization:
    """Create an organization after full validation (time zone, state or province of its
    country, trial end date)."""
    organization = Organization(
        name=name,
        tier=tier,
        time_zone=time_zone,
        country=country.upper(),
        subdivision=subdivision,
        trial_ends_on=trial_ends_on,
        account_manager=account_manager,
    )
    organization.full_clean()
    organization.save()
    return organization


def role_group(role: str) -> Group:
    """The Django group that carries a role (created by migration, recreated if deleted)."""
    group, _created = Group.objects.get_or_create(name=role)
    return group


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give the user exactly one role group (customer, engineer or manager)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(role_group(role))
    user.__dict__.pop("role_names", None)
    return user


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.CUSTOMER,
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user with a role; customers must belong to an organization.

    E-mail addresses are unique whatever their case.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    if role == Role.CUSTOMER and organization is None:
        raise ValidationError({"organization": _("A customer belongs to an organization.")})
    user = User(
        email=email,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        is_staff=False,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_role(user=user, role=role)
    return user


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
) -> User:
    """Sign-up: a Community customer with a one-person Community organization of their own.

    No password (None) leaves the account without a usable one (signed up by e-mail):
    its owner sets one through "Forgot your password?".
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    display = " ".join(part for part in (first_name, last_name) if part) or email
    name = display
    suffix = 1
    while Organization.objects.filter(name=name).exists():
        suffix += 1
        name = f"{display} ({suffix})"
    organization = organization_create(name=name, tier=Tier.COMMUNITY, time_zone=time_zone)
    return user_create(
        email=email,
        password=password,
        role=Role.CUSTOMER,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
    )


# --- Sign-up by e-mail confirmation -------------------------------------------------------
# The page answers the same whether or not the address has an account: the address's
# owner learns which by e-mail. A new account stays inactive until its link is followed.

SIGNUP_SALT = "accounts.signup"
SIGNUP_LINK_MAX_AGE = datetime.timedelta(days=3)


def _signup_mail(*, key: str, to: str, template: str, context: dict[str, object]) -> None:
    subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
    context = {**context, "subject": subject, "site_url": site_url()}
    outbox_enqueue(
        key=key,
        payload={
            "to": [to],
            "subject": subject,
            "body": render_to_string(f"{template}.txt", context),
            "html": render_html(f"{template}.html", context),
            "headers": dict(AUTOMATIC),
        },
    )


@transaction.atomic
def signup_request(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
    now: datetime.datetime | None = None,
) -> None:
    """Ask for a Community account. A new address gets an inactive account and a link that
    activates it; an address with an account gets a note saying so (with the password
    reset link). At most one message per address per hour: the outbox key says so."""
    email = User.objects.normalize_email(email).strip().lower()
    hour = (now or timezone.now()).strftime("%Y%m%d%H")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = user_signup(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            time_zone=time_zone,
        )
        user.is_active = False
        user.save(update_fields=["is_active"])
        existing_active = False
    else:
        # As slow as creating an account, so the time taken does not tell either.
        make_password(password)
        user, existing_active = existing, existing.is_active
    if existing_active:
        _signup_mail(
            key=f"signup-existing:{user.pk}:{hour}",
            to=user.email,
            template="accounts/email/signup_existing",
            context={
                "login_url": site_url(reverse("login")),
                "url": site_url(reverse("password_reset")),
            },
        )
    else:
        token = signing.dumps({"user": user.pk}, salt=SIGNUP_SALT)
        _signup_mail(
            key=f"signup-confirm:{user.pk}:{hour}",
            to=user.email,
            template="accounts/email/signup_confirm",
            context={"url": site_url(reverse("signup_confirm", args=[token]))},
        )


@transaction.atomic
def signup_confirm(*, token: str) -> User:
    """Activate the account a sign-up link names; a bad or expired link is refused."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_LINK_MAX_AGE)
        user = User.objects.select_for_update().get(pk=data["user"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist) as error:
        raise ValidationError(
            _("This link is invalid or has expired. Sign up again to get a new one.")
        ) from error
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
