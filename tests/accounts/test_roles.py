import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from accounts.services import user_set_role
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_roles_come_from_groups():
    customer, engineer, manager = CustomerFactory(), EngineerFactory(), ManagerFactory()
    assert (customer.is_customer, customer.is_engineer, customer.is_manager) == (True, False, False)
    assert (engineer.is_customer, engineer.is_engineer, engineer.is_manager) == (False, True, False)
    assert (manager.is_customer, manager.is_engineer, manager.is_manager) == (False, True, True)


def test_administrator_can_change_a_role_through_groups():
    user = CustomerFactory()
    user_set_role(user=user, role=Role.ENGINEER)
    assert user.is_engineer
    assert list(user.groups.values_list("name", flat=True)) == [Role.ENGINEER]


def nav_labels(response) -> list[str]:
    return [str(item["label"]) for item in response.context["nav_items"]]


def test_customer_navigation_shows_no_staff_pages(customer_client):
    labels = nav_labels(customer_client.get("/"))
    assert "Home" in labels
    assert "Organizations" not in labels
    assert "Administration" not in labels


def test_engineer_navigation_shows_staff_pages_but_not_admin(engineer_client):
    labels = nav_labels(engineer_client.get("/"))
    assert "Organizations" in labels
    assert "Administration" not in labels


def test_staff_administrator_sees_administration(client):
    admin = ManagerFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    labels = nav_labels(client.get("/"))
    assert "Administration" in labels


def test_customers_are_refused_staff_pages(customer_client):
    assert customer_client.get("/accounts/organizations/").status_code == 403


def test_engineers_see_the_organization_list(engineer_client, organization):
    response = engineer_client.get("/accounts/organizations/")
    assert response.status_code == 200
    assert organization.name in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/", "/accounts/organizations/", "/accounts/profile/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
