"""The organization page engineers open from the organization list."""

import datetime
import re

import pytest
import time_machine

from accounts.models import Tier
from accounts.views import ORGANIZATIONS_PER_PAGE
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.services import comment_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return OrganizationFactory(
        name="Acme", tier=Tier.STANDARD, time_zone="America/Sao_Paulo", country="BR"
    )


def test_organization_list_links_the_page(client, acme):
    client.force_login(EngineerFactory())
    assert (
        f'href="/accounts/organizations/{acme.pk}/"'
        in client.get("/accounts/organizations/").content.decode()
    )


def test_page_shows_tier_zone_local_time_and_open_business_hours(client, acme):
    # Wednesday 10:00 in São Paulo (13:00 UTC): open.
    with time_machine.travel(datetime.datetime(2026, 3, 4, 13, 0, tzinfo=datetime.UTC)):
        client.force_login(EngineerFactory())
        html = client.get(f"/accounts/organizations/{acme.pk}/").content.decode()
    assert "Standard" in html and "Brasilia Time (São Paulo)" in html
    assert "Wednesday 10:00" in html
    assert "open now" in html


def test_page_shows_closed_outside_business_hours(client, acme):
    # Saturday: closed.
    with time_machine.travel(datetime.datetime(2026, 3, 7, 13, 0, tzinfo=datetime.UTC)):
        client.force_login(EngineerFactory())
        html = client.get(f"/accounts/organizations/{acme.pk}/").content.decode()
    assert "closed now" in html


def test_premium_is_always_open_and_shows_account_manager(client):
    manager = EngineerFactory(first_name="Eduardo", last_name="Account")
    org = OrganizationFactory(tier=Tier.PREMIUM, account_manager=manager)
    client.force_login(EngineerFactory())
    html = client.get(f"/accounts/organizations/{org.pk}/").content.decode()
    assert "open now" in html and "Eduardo Account" in html


def test_page_lists_open_tickets_and_the_90_day_sla_record(client):
    org = OrganizationFactory(tier=Tier.PREMIUM)
    customer = CustomerFactory(organization=org)
    engineer = EngineerFactory()
    now = datetime.datetime.now(datetime.UTC)
    met = make_ticket(customer, subject="Answered in time", at=now - datetime.timedelta(hours=2))
    comment_add(
        ticket=met, author=engineer, body="Hi", at=now - datetime.timedelta(hours=1, minutes=59)
    )
    make_ticket(customer, subject="Never answered", at=now - datetime.timedelta(hours=3))
    make_ticket(customer, subject="Long ago", at=now - datetime.timedelta(days=120))
    client.force_login(engineer)
    html = client.get(f"/accounts/organizations/{org.pk}/").content.decode()
    assert "Answered in time" in html and "Never answered" in html
    assert '<dd class="record-met">1</dd>' in html
    assert '<dd class="record-breached">1</dd>' in html


def test_community_page_says_best_effort(client):
    org = OrganizationFactory(tier=Tier.COMMUNITY)
    client.force_login(EngineerFactory())
    html = client.get(f"/accounts/organizations/{org.pk}/").content.decode()
    assert "best effort" in html


def test_customers_refused_and_anonymous_sent_to_login(client, acme):
    url = f"/accounts/organizations/{acme.pk}/"
    assert "/accounts/login/" in client.get(url).url
    client.force_login(CustomerFactory(organization=acme))
    assert client.get(url).status_code == 403


def test_the_organization_list_is_paged_by_name_at_a_fixed_query_count(
    client, django_assert_max_num_queries
):
    client.force_login(EngineerFactory())
    OrganizationFactory(name="Org 000")
    client.get("/accounts/organizations/")
    with django_assert_max_num_queries(20) as one:
        response = client.get("/accounts/organizations/")
    assert response.status_code == 200
    for index in range(1, ORGANIZATIONS_PER_PAGE + 5):
        OrganizationFactory(name=f"Org {index:03}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        first = client.get("/accounts/organizations/")
    assert first.status_code == 200
    html = first.content.decode()
    assert len(re.findall(r'href="/accounts/organizations/\d+/"', html)) == ORGANIZATIONS_PER_PAGE
    assert "Org 000" in html and "Org 050" not in html
    second = client.get("/accounts/organizations/?page=2").content.decode()
    assert "Org 050" in second and "Org 053" in second and "Org 000" not in second
    assert client.get("/accounts/organizations/?page=nonsense").status_code == 200
