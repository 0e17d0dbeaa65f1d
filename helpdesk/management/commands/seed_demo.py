"""`python manage.py seed_demo`: demo organizations of every tier, customers and staff.

Idempotent: what already exists (matched by organization name or e-mail) is left
as it is, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Role, Tier, User
from accounts.services import organization_create, user_create, user_set_role

DEMO_PASSWORD = "helpdesk-demo"  # noqa: S105 - demo data, printed on purpose


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    tier: str
    time_zone: str
    country: str
    trial_days: int | None = None  # days from today to the end of the trial
    customers: tuple[tuple[str, str, str], ...] = ()


STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("manager@helpdesk.example", "Marta", "Manager", Role.MANAGER),
    ("engineer1@helpdesk.example", "Eduardo", "Engineer", Role.ENGINEER),
    ("engineer2@helpdesk.example", "Emma", "Engineer", Role.ENGINEER),
)

ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        "Acme Backup Ltda",
        Tier.STANDARD,
        "America/Sao_Paulo",
        "BR",
        customers=(("ana@acme.example", "Ana", "Souza"), ("bruno@acme.example", "Bruno", "Lima")),
    ),
    DemoOrganization(
        "Initech GmbH",
        Tier.STANDARD,
        "Europe/Berlin",
        "DE",
        customers=(("hans@initech.example", "Hans", "Müller"),),
    ),
    DemoOrganization(
        "Globex Corporation",
        Tier.PREMIUM,
        "America/New_York",
        "US",
        customers=(("grace@globex.example", "Grace", "Hopper"),),
    ),
    DemoOrganization(
        "Tokyo Data KK",
        Tier.PREMIUM,
        "Asia/Tokyo",
        "JP",
        customers=(("yuki@tokyodata.example", "Yuki", "Tanaka"),),
    ),
    DemoOrganization(
        "Umbrella Evaluation",
        Tier.TRIAL,
        "Europe/London",
        "GB",
        trial_days=20,
        customers=(("olivia@umbrella.example", "Olivia", "Wells"),),
    ),
    DemoOrganization(
        "Stark Lapsed Trial",
        Tier.TRIAL,
        "Australia/Sydney",
        "AU",
        trial_days=-10,
        customers=(("tony@stark.example", "Tony", "Stark"),),
    ),
    DemoOrganization(
        "Priya Community",
        Tier.COMMUNITY,
        "Asia/Kolkata",
        "IN",
        customers=(("priya@community.example", "Priya", "Sharma"),),
    ),
)


class Command(BaseCommand):
    help = "Load demo organizations of every tier, customers, engineers and a manager."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        created: list[str] = []
        logins: list[tuple[str, str, str]] = []

        admin = User.objects.filter(email__iexact="admin@helpdesk.example").first()
        if admin is None:
            admin = User.objects.create_superuser(
                "admin@helpdesk.example", DEMO_PASSWORD, first_name="Ada", last_name="Admin"
            )
            user_set_role(user=admin, role=Role.MANAGER)
            created.append(admin.email)
        logins.append((admin.email, DEMO_PASSWORD, "administrator"))

        staff: dict[str, User] = {}
        for email, first, last, role in STAFF:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = user_create(
                    email=email, password=DEMO_PASSWORD, role=role, first_name=first, last_name=last
                )
                created.append(email)
            staff[role] = staff.get(role, user)
            logins.append((email, DEMO_PASSWORD, str(Role(role).label).lower()))

        today = timezone.localdate()
        for spec in ORGANIZATIONS:
            organization = Organization.objects.filter(name=spec.name).first()
            if organization is None:
                organization = organization_create(
                    name=spec.name,
                    tier=spec.tier,
                    time_zone=spec.time_zone,
                    country=spec.country,
                    trial_ends_on=(
                        today + datetime.timedelta(days=spec.trial_days)
                        if spec.trial_days is not None
                        else None
                    ),
                    account_manager=(
                        staff[Role.ENGINEER] if spec.tier in (Tier.PREMIUM, Tier.TRIAL) else None
                    ),
                )
                created.append(spec.name)
            for email, first, last in spec.customers:
                if not User.objects.filter(email__iexact=email).exists():
                    user_create(
                        email=email,
                        password=DEMO_PASSWORD,
                        role=Role.CUSTOMER,
                        organization=organization,
                        first_name=first,
                        last_name=last,
                    )
                    created.append(email)
                logins.append((email, DEMO_PASSWORD, f"customer, {spec.name} ({spec.tier})"))

        self.stdout.write(
            f"Demo data: {len(created)} record(s) created"
            + (" (already loaded)" if not created else "")
        )
        self.stdout.write("Logins (e-mail / password / role):")
        for email, password, role in logins:
            self.stdout.write(f"  {email:32} {password:16} {role}")
