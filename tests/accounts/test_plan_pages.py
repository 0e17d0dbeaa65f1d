"""What the pages and the API say about an organization's plan in force today: the
customer's home page, the organization page, the phone page and the API."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# 2 April 2026, 13:00 UTC: 10:00 in São Paulo.
APRIL_2 = datetime.datetime(2026, 4, 2, 13, 0, tzinfo=datetime.UTC)


def trial_customer(ends_on: datetime.date):
    organization = OrganizationFactory(
        name="Initech", tier=Tier.TRIAL, trial_ends_on=ends_on, time_zone="America/Sao_Paulo"
    )
    return CustomerFactory(organization=organization)


def home(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(APRIL_2):
        return client.get("/").content.decode()


def test_home_page_of_a_lapsed_trial_says_it_ended_and_what_that_means(client):
    html = home(client, trial_customer(datetime.date(2026, 3, 31)))
    assert "Trial support" not in html
    assert "(Community support)" in html
    assert "Your trial ended on Tue 31 Mar 2026" in html
    assert "best-effort" in html


def test_home_page_of_a_trial_in_evaluation_shows_its_end_date(client):
    html = home(client, trial_customer(datetime.date(2026, 4, 30)))
    assert "(Trial support)" in html
    assert "Your trial ends on Thu 30 Apr 2026" in html
    assert "ended" not in html


def test_home_page_of_a_premium_customer_names_the_account_manager(client):
    manager = EngineerFactory(first_name="Eduardo", last_name="Account", email="ed@hd.example")
    organization = OrganizationFactory(tier=Tier.PREMIUM, account_manager=manager)
    html = home(client, CustomerFactory(organization=organization))
    assert "(Premium support)" in html
    assert "Your account manager is Eduardo Account" in html
    assert "mailto:ed@hd.example" in html


def test_home_page_of_a_premium_customer_without_account_manager_says_so(client):
    organization = OrganizationFactory(tier=Tier.PREMIUM, account_manager=None)
    html = home(client, CustomerFactory(organization=organization))
    assert "Your account manager has not been assigned yet." in html


def test_home_page_of_a_standard_customer_mentions_no_account_manager(client):
    html = home(client, CustomerFactory(organization=OrganizationFactory(tier=Tier.STANDARD)))
    assert "(Standard support)" in html and "account manager" not in html


def organization_page(client, organization) -> str:
    client.force_login(EngineerFactory())
    with time_machine.travel(APRIL_2):
        return client.get(f"/accounts/organizations/{organization.pk}/").content.decode()


def test_organization_page_flags_a_premium_organization_without_account_manager(client):
    html = organization_page(client, OrganizationFactory(tier=Tier.PREMIUM))
    assert "Premium organization with no account manager" in html


def test_organization_page_does_not_flag_a_premium_organization_with_one(client):
    manager = EngineerFactory(first_name="Eduardo", last_name="Account")
    html = organization_page(
        client, OrganizationFactory(tier=Tier.PREMIUM, account_manager=manager)
    )
    assert "no account manager" not in html and "Eduardo Account" in html


def test_organization_page_of_a_lapsed_trial_says_it_is_on_community(client):
    organization = trial_customer(datetime.date(2026, 3, 31)).organization
    html = organization_page(client, organization)
    assert "trial ended on Tue 31 Mar 2026" in html
    assert "no phone channel" in html


def test_phone_page_refuses_a_lapsed_trial(client):
    customer = trial_customer(datetime.date(2026, 3, 31))
    client.force_login(EngineerFactory())
    data = {
        "organization": customer.organization.pk,
        "requester": customer.pk,
        "subject": "Called: restore failing",
        "impact": "high",
        "urgency": "high",
        "description": "Customer called at 10:02.",
    }
    with time_machine.travel(APRIL_2):
        response = client.post("/tickets/phone/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "trial ended on" in html and "no phone channel" in html
    assert not Ticket.objects.exists()


def test_api_tells_the_customer_the_plan_in_force():
    customer = trial_customer(datetime.date(2026, 3, 31))
    api = APIClient()
    api.force_authenticate(customer)
    with time_machine.travel(APRIL_2):
        body = api.get("/api/v1/organization/").json()
    assert body["name"] == "Initech" and body["tier"] == "trial"
    assert body["plan"] == {"code": "community", "name": "Community"}
    assert body["support_label"] == "Community"
    assert (body["in_trial"], body["trial_lapsed"], body["trial_ends_on"]) == (
        False,
        True,
        "2026-03-31",
    )
    assert body["phone_offered"] is False


def test_api_organization_is_404_for_staff_without_one():
    api = APIClient()
    api.force_authenticate(EngineerFactory())
    assert api.get("/api/v1/organization/").status_code == 404


def test_profile_page_shows_the_support_in_force(client):
    client.force_login(trial_customer(datetime.date(2026, 3, 31)))
    with time_machine.travel(APRIL_2):
        html = client.get("/accounts/profile/").content.decode()
    assert "Initech (Community)" in html


def test_home_page_of_a_lapsed_trial_in_brazilian_portuguese(client):
    customer = trial_customer(datetime.date(2026, 3, 31))
    customer.language = "pt-br"
    customer.save()
    with translation.override("en"):  # the middleware leaves pt-br active for the thread
        html = home(client, customer)
    assert "(suporte Comunidade)" in html
    assert "Sua avaliação terminou em ter 31 mar 2026." in html
