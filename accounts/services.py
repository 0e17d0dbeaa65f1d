"""Writes for organizations and users. Views, admin, API and commands call these."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, Tier, User


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
