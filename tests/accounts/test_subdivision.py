"""An organization's state or province: validated against the `holidays` package's
subdivisions of its country, a field error (never a 500), and shown where the country is."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Organization, Tier
from accounts.services import organization_create
from tests.factories import EngineerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_known_subdivision_is_kept_in_the_packages_spelling():
    organization = organization_create(
        name="Sydney Co", time_zone="Australia/Sydney", country="au", subdivision="nsw"
    )
    assert (organization.country, organization.subdivision) == ("AU", "NSW")


def test_no_subdivision_is_fine():
    organization = organization_create(name="Aussie Co", country="AU")
    assert organization.subdivision == ""


@pytest.mark.parametrize(
    ("country", "subdivision"),
    [
        ("AU", "XX"),  # not a state or territory of Australia
        ("DE", "NSW"),  # a state of another country
        ("SG", "01"),  # Singapore has no subdivisions in the package
        ("", "NSW"),  # no country at all
        ("ZZ", "NSW"),  # a country the package does not know
    ],
)
def test_an_unknown_subdivision_is_a_field_error(country, subdivision):
    with pytest.raises(ValidationError) as error:
        organization_create(name="Wrong Co", country=country, subdivision=subdivision)
    assert list(error.value.message_dict) == ["subdivision"]
    assert not Organization.objects.filter(name="Wrong Co").exists()


def test_the_error_lists_the_countrys_subdivisions():
    with pytest.raises(ValidationError) as error:
        organization_create(name="Wrong Co", country="AU", subdivision="XX")
    assert "NSW" in error.value.message_dict["subdivision"][0]


def admin_client(client):
    admin = UserFactory(organization=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def admin_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Admin Co",
        "tier": Tier.STANDARD,
        "time_zone": "Australia/Sydney",
        "country": "AU",
        "subdivision": "NSW",
        "trial_ends_on": "",
        "account_manager": "",
    }
    data.update(overrides)
    return data


def test_admin_saves_an_organization_with_a_subdivision(client):
    response = admin_client(client).post("/admin/accounts/organization/add/", admin_data())
    assert response.status_code == 302
    assert Organization.objects.get(name="Admin Co").subdivision == "NSW"


def test_admin_shows_a_bad_subdivision_as_a_field_error_not_a_500(client):
    response = admin_client(client).post(
        "/admin/accounts/organization/add/", admin_data(subdivision="Bavaria")
    )
    assert response.status_code == 200
    assert "is not a state or province" in response.content.decode()
    assert not Organization.objects.filter(name="Admin Co").exists()


def test_organization_page_and_list_show_the_subdivision(client):
    organization = OrganizationFactory(
        name="Berlin GmbH", time_zone="Europe/Berlin", country="DE", subdivision="BE"
    )
    client.force_login(EngineerFactory())
    page = client.get(f"/accounts/organizations/{organization.pk}/").content.decode()
    assert "Germany · BE" in page
    listing = client.get("/accounts/organizations/").content.decode()
    assert "Germany · BE" in listing


def test_the_error_is_translated():
    with translation.override("pt-br"), pytest.raises(ValidationError) as error:
        organization_create(name="Wrong Co", country="AU", subdivision="XX")
    assert "não é um estado ou província de AU" in error.value.message_dict["subdivision"][0]
