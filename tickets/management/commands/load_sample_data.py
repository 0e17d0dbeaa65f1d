"""`python manage.py load_sample_data --tickets 100000`: a realistic volume for benchmarks.

Bulk inserts (no per-ticket services) of organizations of every tier, customers,
engineers, tickets spread over the last 180 days, their comments, timeline events
and first-response clocks. Deadlines are real: each organization's SLA terms are
snapshotted once through `sla.services.sla_terms_for` and every clock's due and
warning instants come from that calendar's `add`, exactly as `sla.clocks` computes
them; `Ticket.sla_due_at`/`sla_warn_at` hold the running clock's. Recent tickets
are mostly open, old ones mostly solved or closed.

Sample organizations are reused when they exist; every run adds `--tickets` more.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Role, Tier, User
from sla import facts
from sla import services as sla_services
from sla.calendar import BusinessCalendar
from sla.models import Metric, SLAClock
from tickets.models import Channel, Comment, Event, EventKind, Product, Status, Ticket

ZONES = [
    ("America/Sao_Paulo", "BR"),
    ("America/New_York", "US"),
    ("Europe/Berlin", "DE"),
    ("Europe/London", "GB"),
    ("Asia/Tokyo", "JP"),
    ("Asia/Kolkata", "IN"),
    ("Australia/Sydney", "AU"),
]
TIER_WEIGHTS = [(Tier.STANDARD, 50), (Tier.PREMIUM, 25), (Tier.TRIAL, 10), (Tier.COMMUNITY, 15)]
PRIORITY_WEIGHTS = [("P1", 5), ("P2", 20), ("P3", 40), ("P4", 35)]
# One (impact, urgency) pair per priority that the default matrix maps to it.
LEVELS = {
    "P1": ("high", "high"),
    "P2": ("medium", "high"),
    "P3": ("low", "high"),
    "P4": ("low", "low"),
}
SUBJECTS = [
    "Backups fail every night",
    "Restore job hangs at 99%",
    "Backup speed dropped sharply",
    "Reporting does not work",
    "Please clarify a backup configuration setting",
    "Agent crashes after upgrade",
    "Deduplication ratio lower than expected",
    "Tape library offline",
    "E-mail notifications do not arrive",
    "License count does not match",
    "SSO login loop on the console",
    "Retention policy deletes too early",
    "Cloud target credentials rejected",
    "Snapshot verification fails",
    "Question about the upgrade path",
]
OPEN = [Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD]
BATCH = 2000


def _weighted(rng: random.Random, weights: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in weights], [weight for _, weight in weights])[0]


class Command(BaseCommand):
    help = "Bulk-load sample organizations, users and tickets (with clocks) for benchmarks."
    batch_size = BATCH

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--organizations", type=int, default=300)
        parser.add_argument("--engineers", type=int, default=25)
        parser.add_argument("--seed", type=int, default=6)
        parser.add_argument(
            "--days", type=int, default=180, help="history spread over this many days"
        )
        parser.add_argument(
            "--recent-share",
            type=float,
            default=0.5,
            help="share of the tickets filed in the last 10 days (mostly still open)",
        )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.monotonic()
        rng = random.Random(options["seed"])
        self.days = max(10, options["days"])
        self.recent_share = min(1.0, max(0.0, options["recent_share"]))
        now = timezone.now()
        organizations = self._organizations(options["organizations"], rng, now)
        customers = self._customers(organizations)
        engineers = self._engineers(options["engineers"])
        products = [
            Product.objects.get_or_create(name=name)[0]
            for name in ("Backup Server", "Backup Agent", "Cloud Console")
        ]
        terms = {
            org.pk: sla_services.sla_terms_for(organization=org, at=now) for org in organizations
        }
        calendars = {pk: sla_services.calendar_from_terms(t) for pk, t in terms.items()}
        total = options["tickets"]
        done = 0
        while done < total:
            size = min(self.batch_size, total - done)
            with transaction.atomic():
                self._batch(
                    size, rng, now, organizations, customers, engineers, products, terms, calendars
                )
            done += size
            if done % 20_000 < size or done == total:
                self.stdout.write(f"  {done} tickets ({time.monotonic() - started:.0f} s)")
        self.stdout.write(
            f"Loaded {total} tickets for {len(organizations)} organizations "
            f"in {time.monotonic() - started:.1f} s."
        )

    # --- people -------------------------------------------------------------------------

    def _organizations(
        self, count: int, rng: random.Random, now: datetime.datetime
    ) -> list[Organization]:
        existing = list(Organization.objects.filter(name__startswith="Sample Org "))
        if len(existing) >= count:
            return existing[:count]
        new = []
        for index in range(len(existing), count):
            tier = _weighted(rng, TIER_WEIGHTS)
            zone, country = ZONES[index % len(ZONES)]
            new.append(
                Organization(
                    name=f"Sample Org {index:04d}",
                    tier=tier,
                    time_zone=zone,
                    country=country,
                    trial_ends_on=(now + datetime.timedelta(days=30)).date()
                    if tier == Tier.TRIAL
                    else None,
                )
            )
        Organization.objects.bulk_create(new)
        return list(Organization.objects.filter(name__startswith="Sample Org ").order_by("pk"))

    def _customers(self, organizations: list[Organization]) -> dict[int, list[int]]:
        password = make_password("sample-data")
        have = set(
            User.objects.filter(email__endswith="@sample.example").values_list("email", flat=True)
        )
        new = [
            User(
                email=f"customer{org.pk}-{n}@sample.example",
                first_name=f"Customer {n}",
                last_name=org.name,
                organization=org,
                password=password,
            )
            for org in organizations
            for n in range(3)
            if f"customer{org.pk}-{n}@sample.example" not in have
        ]
        User.objects.bulk_create(new, batch_size=1000)
        self._add_to_group([user.email for user in new], Role.CUSTOMER)
        people: dict[int, list[int]] = {}
        for pk, org_id in User.objects.filter(
            organization__in=organizations, email__endswith="@sample.example"
        ).values_list("pk", "organization_id"):
            people.setdefault(org_id, []).append(pk)
        return people

    def _engineers(self, count: int) -> list[int]:
        password = make_password("sample-data")
        emails = [f"engineer{n}@sample-staff.example" for n in range(count)]
        have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            [
                User(email=email, first_name=f"Engineer {n}", last_name="Sample", password=password)
                for n, email in enumerate(emails)
                if email not in have
            ]
        )
        self._add_to_group([email for email in emails if email not in have], Role.ENGINEER)
        return list(User.objects.filter(email__in=emails).values_list("pk", flat=True))

    def _add_to_group(self, emails: list[str], role: str) -> None:
        if not emails:
            return
        group = Group.objects.get_or_create(name=role)[0]
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=pk, group_id=group.pk)
                for pk in User.objects.filter(email__in=emails).values_list("pk", flat=True)
            ],
            batch_size=1000,
        )

    # --- tickets ------------------------------------------------------------------------

    def _batch(
        self,
        size: int,
        rng: random.Random,
        now: datetime.datetime,
        organizations: list[Organization],
        customers: dict[int, list[int]],
        engineers: list[int],
        products: list[Product],
        terms: dict[int, dict[str, Any]],
        calendars: dict[int, BusinessCalendar | None],
    ) -> None:
        tickets: list[Ticket] = []
        plans: list[dict[str, Any]] = []
        for _ in range(size):
            org = rng.choice(organizations)
            org_terms = terms[org.pk]
            calendar = calendars[org.pk]
            priority = _weighted(rng, PRIORITY_WEIGHTS)
            impact, urgency = LEVELS[priority]
            # A share (by default half) of the tickets in the last 10 days, the rest over
            # the whole history (by default 180 days).
            days = (
                rng.uniform(0, 10)
                if rng.random() < self.recent_share
                else rng.uniform(0, self.days)
            )
            created = now - datetime.timedelta(days=days)
            recent = days < 10
            if recent:
                status = rng.choices([*OPEN, Status.SOLVED, Status.CLOSED], [25, 30, 8, 4, 20, 13])[
                    0
                ]
            else:
                status = rng.choices([*OPEN, Status.SOLVED, Status.CLOSED], [1, 2, 1, 1, 15, 80])[0]
            target = sla_services.target_from_terms(
                org_terms, priority=priority, metric=Metric.FIRST_RESPONSE
            )
            plan: dict[str, Any] = {"created": created, "clock": None, "responded": None}
            if target is not None and calendar is not None:
                duration, warning_percent = target
                due = calendar.add(created, duration)
                warn = calendar.add(created, duration * (100 - warning_percent) / 100)
                plan["clock"] = (duration, warning_percent, due, warn)
            answered = status not in (Status.NEW,) and rng.random() < 0.95
            if answered:
                # Mostly in time; some late.
                deadline = (
                    plan["clock"][2] if plan["clock"] else created + datetime.timedelta(hours=8)
                )
                span = (deadline - created).total_seconds()
                delay = span * rng.uniform(0.05, 1.0 if rng.random() < 0.85 else 1.6)
                plan["responded"] = min(created + datetime.timedelta(seconds=delay), now)
            if plan["clock"] is not None and plan["responded"] is not None and calendar:
                plan["taken"] = calendar.elapsed(created, plan["responded"])
            running = plan["clock"] is not None and plan["responded"] is None
            due_at = plan["clock"][2] if running else None
            warn_at = plan["clock"][3] if running else None
            last = plan["responded"] or created
            tickets.append(
                Ticket(
                    subject=f"{rng.choice(SUBJECTS)} ({rng.randrange(1000, 9999)})",
                    description="Sample ticket for benchmarks.",
                    description_html="<p>Sample ticket for benchmarks.</p>",
                    organization_id=org.pk,
                    requester_id=rng.choice(customers[org.pk]),
                    impact=impact,
                    urgency=urgency,
                    derived_priority=priority,
                    priority=priority,
                    status=status,
                    channel=rng.choices(
                        [Channel.WEB, Channel.EMAIL, Channel.PHONE, Channel.API], [60, 25, 10, 5]
                    )[0]
                    if org.tier != Tier.COMMUNITY
                    else rng.choice([Channel.WEB, Channel.EMAIL]),
                    assignee_id=rng.choice(engineers)
                    if (status != Status.NEW and rng.random() < 0.8)
                    else None,
                    product_id=rng.choice(products).pk if rng.random() < 0.7 else None,
                    tier=org.tier,
                    plan_id=org_terms["plan_id"],
                    sla_terms=org_terms,
                    created_at=created,
                    last_customer_activity_at=created,
                    last_activity_at=last,
                    first_responded_at=plan["responded"],
                    solved_at=last if status in (Status.SOLVED, Status.CLOSED) else None,
                    closed_at=last if status == Status.CLOSED else None,
                    sla_due_at=due_at,
                    sla_warn_at=warn_at,
                    version=2 if plan["responded"] else 1,
                )
            )
            plans.append(plan)
        self.save_rows(Ticket, tickets)
        clocks, comments, events = [], [], []
        for ticket, plan in zip(tickets, plans, strict=True):
            created = plan["created"]
            events.append(
                Event(
                    ticket_id=ticket.pk,
                    kind=EventKind.CREATED,
                    actor_id=ticket.requester_id,
                    data={"channel": ticket.channel, "priority": ticket.priority},
                    created_at=created,
                    version=1,
                )
            )
            if plan["clock"]:
                duration, warning_percent, due, warn = plan["clock"]
                met = plan["responded"]
                breached = due if (met and met > due) or (not met and due <= now) else None
                clocks.append(
                    SLAClock(
                        ticket_id=ticket.pk,
                        metric=Metric.FIRST_RESPONSE,
                        target=duration,
                        warning_percent=warning_percent,
                        started_at=created,
                        due_at=due,
                        warn_at=warn,
                        met_at=met,
                        business_time_to_meet=plan.get("taken"),
                        at_risk_at=warn if warn <= (met or now) else None,
                        breached_at=breached,
                    )
                )
                events.append(
                    Event(
                        ticket_id=ticket.pk,
                        kind=EventKind.SLA_STARTED,
                        data={"metric": Metric.FIRST_RESPONSE, "due": due.isoformat()},
                        created_at=created,
                    )
                )
            if plan["responded"]:
                comments.append(
                    Comment(
                        ticket_id=ticket.pk,
                        author_id=ticket.assignee_id or rng.choice(self._engineer_pool(ticket)),
                        body="Thanks, we are looking into it.",
                        body_html="<p>Thanks, we are looking into it.</p>",
                        by_staff=True,
                        created_at=plan["responded"],
                    )
                )
                events.append(
                    Event(
                        ticket_id=ticket.pk,
                        kind=EventKind.REPLY_ADDED,
                        actor_id=ticket.assignee_id,
                        created_at=plan["responded"],
                        version=2,
                    )
                )
                if rng.random() < 0.5:
                    comments.append(
                        Comment(
                            ticket_id=ticket.pk,
                            author_id=ticket.requester_id,
                            body="Here are the logs you asked for.",
                            body_html="<p>Here are the logs you asked for.</p>",
                            created_at=plan["responded"] + datetime.timedelta(minutes=30),
                        )
                    )
        self.save_rows(SLAClock, clocks)
        self.save_rows(Comment, comments)
        self.save_rows(Event, events)
        # Bulk inserts bypass the services, so the dashboards' facts are computed here.
        facts.ticket_facts_refresh(ticket_ids=[ticket.pk for ticket in tickets])

    def save_rows(self, model: type[Any], rows: list[Any]) -> None:
        """Insert a batch and set its primary keys (`benchmarks/load_million.py` overrides
        this with PostgreSQL's COPY)."""
        model.objects.bulk_create(rows)

    def _engineer_pool(self, ticket: Ticket) -> list[int]:
        if not hasattr(self, "_pool"):
            self._pool = list(
                User.objects.filter(email__endswith="@sample-staff.example").values_list(
                    "pk", flat=True
                )
            )
        return self._pool
