"""`python manage.py seed_demo`: demo organizations of every tier, customers and staff,
and a queue's worth of demo tickets.

Idempotent: what already exists (matched by organization name or e-mail) is left
as it is, and demo tickets are only filed while the demo organizations have none,
so running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Role, Tier, User
from accounts.services import organization_create, user_create, user_set_role
from kb import demo as kb_demo
from tickets.models import Product, Ticket
from tickets.services import comment_add, ticket_assign, ticket_change_status, ticket_create

DEMO_PASSWORD = "helpdesk-demo"  # noqa: S105 - demo data, printed on purpose
# Customers who write in Brazilian Portuguese: their tickets, and staff's words on them,
# are in Portuguese, so the demo reads natively in that language too.
PORTUGUESE_REQUESTERS = frozenset({"ana@acme.example", "bruno@acme.example"})
DEMO_TEXTS = {
    "en": {
        "description": "{subject}.\n\nReported through the demo data.",
        "reply": "Thanks for the report: we are looking into it.",
        "note": "Checked the logs: looks like a credentials problem.",
    },
    "pt-br": {
        "description": "{subject}.\n\nRelatado pelos dados de demonstração.",
        "reply": "Obrigado pelo relato: estamos investigando.",
        "note": "Verifiquei os logs: parece um problema de credenciais.",
    },
}
DEMO_PRODUCTS = ("Backup Server", "Backup Agent", "Cloud Console")


@dataclass(frozen=True)
class DemoTicket:
    """A ticket filed `minutes_ago`; `steps` are (minutes after filing, what staff did)."""

    requester: str
    subject: str
    impact: str
    urgency: str
    minutes_ago: int
    steps: tuple[tuple[int, str], ...] = ()
    channel: str = "web"
    product: int | None = None  # index into DEMO_PRODUCTS


HOUR, DAY = 60, 24 * 60
# Premium and Trial are 24x7 (P1 15 min, P2 1 h, P3 4 h, P4 8 h), so their states are
# exact: breached, at risk (under 25 % of the target left), running, met. Standard
# tickets run on business hours in the customer's zone; Community ones are best effort.
DEMO_TICKETS: tuple[DemoTicket, ...] = (
    DemoTicket(
        "grace@globex.example",
        "Backups fail every time since the upgrade",
        "high",
        "high",
        2 * HOUR,
        product=0,
    ),
    DemoTicket("grace@globex.example", "Restore job hangs at 99%", "medium", "high", 50, product=0),
    DemoTicket("grace@globex.example", "Backup speed dropped sharply", "medium", "high", 20),
    DemoTicket(
        "grace@globex.example",
        "Question about the retention policy",
        "low",
        "low",
        3 * DAY,
        steps=((2 * HOUR, "reply"), (2 * HOUR + 5, "pending")),
    ),
    DemoTicket(
        "grace@globex.example",
        "Dashboard shows the wrong time zone",
        "low",
        "high",
        5 * HOUR,
        steps=((HOUR, "reply"),),
        product=2,
    ),
    DemoTicket(
        "grace@globex.example",
        "SSO login loop on the console",
        "medium",
        "high",
        4 * HOUR,
        steps=((10, "assign2"), (90, "reply")),
        product=2,
    ),
    DemoTicket(
        "yuki@tokyodata.example",
        "Agent crashes on Windows Server 2022",
        "high",
        "high",
        10,
        product=1,
    ),
    DemoTicket(
        "yuki@tokyodata.example",
        "License count does not match the contract",
        "low",
        "high",
        3 * HOUR + 30,
    ),
    DemoTicket("yuki@tokyodata.example", "Please export the audit log", "low", "low", DAY),
    DemoTicket(
        "yuki@tokyodata.example",
        "Incremental backups slower on Mondays",
        "low",
        "high",
        2 * DAY,
        steps=((30, "reply"), (5 * HOUR, "solve")),
    ),
    DemoTicket(
        "olivia@umbrella.example",
        "Evaluation: S3 target setup fails",
        "medium",
        "high",
        2 * HOUR,
        steps=((5, "note"),),
    ),
    DemoTicket(
        "olivia@umbrella.example", "How to schedule weekly full backups?", "low", "low", HOUR
    ),
    DemoTicket(
        "ana@acme.example", "Backups falham toda noite", "medium", "high", 2 * DAY, product=0
    ),
    DemoTicket(
        "ana@acme.example", "Relatórios não funcionam", "low", "high", DAY, steps=((40, "reply"),)
    ),
    DemoTicket(
        "bruno@acme.example", "Dúvida sobre uma opção de configuração do backup", "low", "low", 30
    ),
    DemoTicket(
        "bruno@acme.example",
        "Taxa de deduplicação abaixo do esperado",
        "low",
        "high",
        6 * HOUR,
        steps=((20, "assign1"),),
    ),
    DemoTicket(
        "ana@acme.example",
        "Ligação: compartilhamento NAS não detectado",
        "medium",
        "high",
        40,
        channel="phone",
        product=1,
    ),
    DemoTicket(
        "ana@acme.example",
        "Restauração a partir da nuvem está lenta",
        "low",
        "high",
        3 * DAY,
        steps=((HOUR, "reply"), (2 * HOUR, "solve"), (DAY, "close")),
    ),
    DemoTicket("hans@initech.example", "Tape library offline", "high", "high", 3 * HOUR),
    DemoTicket(
        "hans@initech.example",
        "E-mail notifications do not arrive",
        "low",
        "high",
        4 * HOUR,
        steps=((15, "assign1"), (25, "note")),
    ),
    DemoTicket(
        "hans@initech.example",
        "Upgrade path from 9.x to 10",
        "low",
        "low",
        2 * DAY,
        steps=((3 * HOUR, "reply"), (3 * HOUR + 1, "pending")),
    ),
    DemoTicket("tony@stark.example", "Trial ended: help with the license", "low", "high", DAY),
    DemoTicket("priya@community.example", "How do I configure retention?", "low", "low", 3 * DAY),
    DemoTicket(
        "priya@community.example", "Community edition crashes on start", "low", "high", 5 * HOUR
    ),
    DemoTicket(
        "priya@community.example",
        "Feature request: dark mode",
        "low",
        "low",
        10 * DAY,
        steps=((DAY, "reply"), (DAY + 1, "solve")),
    ),
)


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

        created += self._seed_tickets()
        created += kb_demo.seed_articles(author=staff[Role.ENGINEER])
        self.stdout.write(
            f"Demo data: {len(created)} record(s) created"
            + (" (already loaded)" if not created else "")
        )
        self.stdout.write("Logins (e-mail / password / role):")
        for email, password, role in logins:
            self.stdout.write(f"  {email:32} {password:16} {role}")

    def _seed_tickets(self) -> list[str]:
        """File the demo tickets through the services, once (while the demo orgs have none)."""

        names = [spec.name for spec in ORGANIZATIONS]
        if Ticket.objects.filter(organization__name__in=names).exists():
            return []
        products = [Product.objects.get_or_create(name=name)[0] for name in DEMO_PRODUCTS]
        users = {user.email: user for user in User.objects.filter(email__endswith=".example")}
        engineer1 = users.get("engineer1@helpdesk.example")
        engineer2 = users.get("engineer2@helpdesk.example")
        now = timezone.now()
        created = []
        for spec in DEMO_TICKETS:
            requester = users.get(spec.requester)
            if requester is None or engineer1 is None or engineer2 is None:
                continue
            filed = now - datetime.timedelta(minutes=spec.minutes_ago)
            texts = DEMO_TEXTS["pt-br" if spec.requester in PORTUGUESE_REQUESTERS else "en"]
            ticket = ticket_create(
                requester=requester,
                subject=spec.subject,
                description=texts["description"].format(subject=spec.subject),
                impact=spec.impact,
                urgency=spec.urgency,
                channel=spec.channel,
                created_by=engineer1 if spec.channel == "phone" else None,
                product=products[spec.product] if spec.product is not None else None,
                at=filed,
            )
            for minutes, step in spec.steps:
                at = filed + datetime.timedelta(minutes=minutes)
                if step == "reply":
                    comment_add(
                        ticket=ticket,
                        author=engineer1,
                        body=texts["reply"],
                        at=at,
                    )
                elif step == "note":
                    comment_add(
                        ticket=ticket,
                        author=engineer2,
                        body=texts["note"],
                        is_public=False,
                        at=at,
                    )
                elif step in ("assign1", "assign2"):
                    ticket_assign(
                        ticket=ticket,
                        actor=engineer1,
                        assignee=engineer1 if step == "assign1" else engineer2,
                        at=at,
                    )
                else:
                    status = {"pending": "pending_customer", "solve": "solved", "close": "closed"}
                    ticket_change_status(ticket=ticket, actor=engineer1, status=status[step], at=at)
            created.append(ticket.reference)
        return created
