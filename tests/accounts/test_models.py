import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Organization, Tier, User
from accounts.services import organization_create, user_create
from tests.factories import CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case_in_the_service(organization):
    user_create(email="Ana@Example.com", password="x", organization=organization)
    with pytest.raises(ValidationError) as error:
        user_create(email="ana@EXAMPLE.COM", password="x", organization=organization)
    assert "email" in error.value.message_dict


def test_email_is_unique_whatever_its_case_in_the_database(organization):
    CustomerFactory(email="bob@example.com", organization=organization)
    duplicate = User(email="placeholder@example.com", organization=organization)
    duplicate.save()
    # Bypass save()'s lower-casing: the database constraint itself refuses it.
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=duplicate.pk).update(email="BOB@example.com")


def test_email_is_stored_lower_case(organization):
    user = user_create(email="Mixed.Case@Example.COM", password="x", organization=organization)
    assert user.email == "mixed.case@example.com"


def test_login_lookup_ignores_case(organization):
    user = user_create(email="carol@example.com", password="x", organization=organization)
    assert User.objects.get_by_natural_key("CAROL@Example.com") == user


def test_trial_organization_without_end_date_is_rejected_by_validation():
    with pytest.raises(ValidationError) as error:
        organization_create(name="Eval Inc", tier=Tier.TRIAL, time_zone="Europe/Berlin")
    assert "trial_ends_on" in error.value.message_dict


def test_trial_organization_without_end_date_is_rejected_by_the_database():
    with pytest.raises(IntegrityError):
        Organization.objects.create(name="Eval Inc", tier=Tier.TRIAL, trial_ends_on=None)


def test_trial_organization_with_end_date_is_accepted():
    org = organization_create(
        name="Eval Inc", tier=Tier.TRIAL, trial_ends_on=datetime.date(2026, 12, 31)
    )
    assert org.tier == Tier.TRIAL


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ValidationError) as error:
        organization_create(name="Nowhere", time_zone="Mars/Olympus_Mons")
    assert "time_zone" in error.value.message_dict


def test_customer_must_belong_to_an_organization():
    with pytest.raises(ValidationError) as error:
        user_create(email="orphan@example.com", password="x")
    assert "organization" in error.value.message_dict


def test_user_time_zone_falls_back_to_the_organization():
    org = OrganizationFactory(time_zone="Asia/Tokyo")
    user = CustomerFactory(organization=org)
    assert user.effective_time_zone == "Asia/Tokyo"
    user.time_zone = "Europe/Berlin"
    assert user.effective_time_zone == "Europe/Berlin"
