"""factory-boy factories for every model, shared by all tests."""

import factory
from django.contrib.auth.models import Group

from accounts.models import Organization, Role, Tier, User

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    tier = Tier.STANDARD
    time_zone = "America/Sao_Paulo"
    country = "BR"


def _role(default: str) -> factory.PostGeneration:
    """Post-generation hook putting the user in a role group (`role=` overrides it)."""

    def add_role(user: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            user.groups.add(Group.objects.get_or_create(name=extracted or default)[0])

    return factory.PostGeneration(add_role)


class UserFactory(factory.django.DjangoModelFactory):
    """A customer of an organization (the default role)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.django.Password(PASSWORD)
    role = _role(Role.CUSTOMER)


class CustomerFactory(UserFactory):
    pass


class EngineerFactory(UserFactory):
    organization = None
    email = factory.Sequence(lambda n: f"engineer{n}@helpdesk.example")
    role = _role(Role.ENGINEER)


class ManagerFactory(UserFactory):
    organization = None
    email = factory.Sequence(lambda n: f"manager{n}@helpdesk.example")
    role = _role(Role.MANAGER)
