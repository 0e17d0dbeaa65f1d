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


# --- sla: calendars, holidays, plans, targets, tier policies, the matrix ---------------------
# Models are named by "app.Model" strings so this section needs no import above. The
# migration seeds the policy's own rows (plans "standard", "premium", "community", the
# tier policies and the matrix); these factories make extra ones.

import datetime as _datetime  # noqa: E402


class CalendarFactory(factory.django.DjangoModelFactory):
    """A Monday-Friday 08:00-17:00 business-hours calendar (`hours={}` for no intervals)."""

    class Meta:
        model = "sla.Calendar"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    is_24x7 = False
    use_public_holidays = True

    @factory.post_generation
    def hours(calendar, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or calendar.is_24x7:
            return
        weekly = extracted if extracted is not None else {day: [(480, 1020)] for day in range(5)}
        for weekday, intervals in weekly.items():  # type: ignore[union-attr]
            for start, end in intervals:
                CalendarIntervalFactory(
                    calendar=calendar, weekday=weekday, start_minute=start, end_minute=end
                )


class CalendarIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.CalendarInterval"

    calendar = factory.SubFactory(CalendarFactory, hours={})
    weekday = 0
    start_minute = 8 * 60
    end_minute = 17 * 60


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.Holiday"

    calendar = factory.SubFactory(CalendarFactory)
    date = factory.Sequence(lambda n: _datetime.date(2030, 1, 1) + _datetime.timedelta(days=n))
    name = factory.Sequence(lambda n: f"Company day {n}")


class SupportPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.SupportPlan"

    name = factory.Sequence(lambda n: f"Plan {n}")
    code = factory.Sequence(lambda n: f"plan-{n}")
    calendar = factory.SubFactory(CalendarFactory)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.Target"

    plan = factory.SubFactory(SupportPlanFactory)
    priority = "P1"
    metric = "first_response"
    duration = _datetime.timedelta(hours=1)
    warning_percent = 25


class TierPolicyFactory(factory.django.DjangoModelFactory):
    """The seeded policy of a tier, changed as given (tiers are unique)."""

    class Meta:
        model = "sla.TierPolicy"

    tier = "standard"
    plan = factory.SubFactory(SupportPlanFactory)
    lapsed_plan = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        tier = kwargs.pop("tier")
        return model_class.objects.update_or_create(tier=tier, defaults=kwargs)[0]


class PriorityRuleFactory(factory.django.DjangoModelFactory):
    """A cell of the seeded matrix, changed as given ((impact, urgency) is unique)."""

    class Meta:
        model = "sla.PriorityRule"

    impact = "high"
    urgency = "high"
    priority = "P1"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        impact, urgency = kwargs.pop("impact"), kwargs.pop("urgency")
        return model_class.objects.update_or_create(
            impact=impact, urgency=urgency, defaults=kwargs
        )[0]
