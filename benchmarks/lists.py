"""Benchmark the ticket lists, the ticket page and the organization list on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1, user postgres)::

    .venv/bin/python benchmarks/lists.py [--requests 30] [--tickets 100000]

It uses the database ``h_lists_bench`` (``BENCH_DATABASE_URL`` overrides it; created if
missing), migrates it and loads the sample data with ``load_sample_data`` until it holds
``--tickets`` tickets; later runs reuse it. One sample ticket gets 300 replies and 300
history lines (once). Then it times requests through Django's test ``Client`` in-process
(the whole Django stack, no web server; DEBUG off) and prints for each page the median and
p95 time and the SQL queries per request: the REST list and the portal lists (every sort)
as an engineer and as a customer, first page and a page half-way down (a cursor at that
position: what following "next" thousands of times reaches), the ticket page, the
organization list and the customer's new-ticket POST. Then EXPLAIN ANALYZE of each list
query: its time in PostgreSQL and whether an index gives the order (no Sort node).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

# Run as a script, this file's folder comes first on sys.path, and benchmarks/queue.py
# would shadow the standard library's `queue` (which asgiref imports): drop the folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.common import ensure_database, percentile  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h_lists_bench"
ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "testserver,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "EMAIL_URL": "consolemail://",
}
LONG_HISTORY = 300


def plan_nodes(plan: dict) -> list[str]:
    return [plan["Node Type"], *[n for child in plan.get("Plans", []) for n in plan_nodes(child)]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ.update(ENVIRONMENT)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Tier, User
    from helpdesk.keyset import cursor_of
    from tickets.models import Comment, Event, EventKind, Ticket
    from tickets.selectors import SORTS

    call_command("migrate", verbosity=0)
    have = Ticket.objects.count()
    if have < args.tickets:
        print(f"Loading {args.tickets - have} sample tickets (once)...")
        call_command("load_sample_data", tickets=args.tickets - have)
    engineer = User.objects.get(email="engineer0@sample-staff.example")
    busiest = (
        Ticket.objects.exclude(tier=Tier.COMMUNITY)
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    customer = (
        User.objects.filter(organization_id=busiest["organization_id"], is_active=True)
        .order_by("pk")
        .first()
    )
    assert customer is not None
    long_ticket = Ticket.objects.filter(organization_id=busiest["organization_id"]).earliest("pk")
    if long_ticket.comments.count() < LONG_HISTORY:
        start = timezone.now() - datetime.timedelta(days=30)
        Comment.objects.bulk_create(
            Comment(
                ticket=long_ticket,
                author=engineer if index % 2 else customer,
                body=f"Reply {index}: we looked at the logs again.",
                body_html=f"<p>Reply {index}: we looked at the logs again.</p>",
                by_staff=bool(index % 2),
                created_at=start + datetime.timedelta(minutes=index),
            )
            for index in range(LONG_HISTORY)
        )
        Event.objects.bulk_create(
            Event(
                ticket=long_ticket,
                kind=EventKind.REPLY_ADDED,
                actor=engineer if index % 2 else customer,
                created_at=start + datetime.timedelta(minutes=index),
            )
            for index in range(LONG_HISTORY)
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    short_ticket = Ticket.objects.filter(organization_id=busiest["organization_id"]).latest("pk")
    org_tickets = Ticket.objects.filter(organization_id=busiest["organization_id"])
    total = Ticket.objects.count()
    print(
        f"Database: {connection.settings_dict['NAME']} on PostgreSQL "
        f"{connection.pg_version // 10000}; {total} tickets; the customer's organization has "
        f"{org_tickets.count()}; Django test Client in-process, DEBUG off; "
        f"{args.requests} timed requests per page after 3 warm-up requests; "
        f"load average {os.getloadavg()[0]:.1f} at the start."
    )

    def drf_cursor(tickets, offset: int) -> str:
        row = tickets.order_by("-last_activity_at", "-id")[offset]
        return base64.b64encode(urlencode({"p": str(row.last_activity_at)}).encode()).decode()

    def portal_cursor(tickets, sort: str, offset: int) -> str:
        row = tickets.order_by(*SORTS[sort])[offset]
        return cursor_of(row, ordering=SORTS[sort])

    all_tickets = Ticket.objects.all()
    cases: list[tuple[str, User, str]] = [
        ("REST list, engineer, first page", engineer, "/api/v1/tickets/?page_size=25"),
        (
            "REST list, engineer, half-way",
            engineer,
            f"/api/v1/tickets/?page_size=25&cursor={drf_cursor(all_tickets, total // 2)}",
        ),
        ("REST list, customer, first page", customer, "/api/v1/tickets/?page_size=25"),
        (
            "REST list, customer, half-way",
            customer,
            "/api/v1/tickets/?page_size=25&cursor="
            + drf_cursor(org_tickets, org_tickets.count() // 2),
        ),
    ]
    for sort in SORTS:
        cases.append(
            (f"All tickets (engineer), {sort}", engineer, f"/tickets/?scope=all&sort={sort}")
        )
        cases.append(
            (
                f"All tickets (engineer), {sort}, half-way",
                engineer,
                f"/tickets/?scope=all&sort={sort}&after="
                + portal_cursor(all_tickets, sort, total // 2),
            )
        )
        cases.append(
            (f"Organization tickets, {sort}", customer, f"/tickets/?scope=organization&sort={sort}")
        )
        cases.append(
            (
                f"Organization tickets, {sort}, half-way",
                customer,
                f"/tickets/?scope=organization&sort={sort}&after="
                + portal_cursor(org_tickets, sort, org_tickets.count() // 2),
            )
        )
    cases += [
        ("My tickets (customer)", customer, "/tickets/?scope=mine"),
        ("ticket page, staff", engineer, f"/tickets/{short_ticket.pk}/"),
        ("ticket page, customer", customer, f"/tickets/{short_ticket.pk}/"),
        (f"ticket page, staff, {LONG_HISTORY} replies", engineer, f"/tickets/{long_ticket.pk}/"),
        (
            f"ticket page, customer, {LONG_HISTORY} replies",
            customer,
            f"/tickets/{long_ticket.pk}/",
        ),
        ("organization list", engineer, "/accounts/organizations/"),
    ]
    clients: dict[int, Client] = {}
    for user in (engineer, customer):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    plans: list[tuple[str, str]] = []
    print()
    print(f"{'page':48} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, user, path in cases:
        client = clients[user.pk]
        for _ in range(3):
            client.get(path)
        timings = []
        queries = set()
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries.add(len(captured))
        print(
            f"{label:48} {statistics.median(timings):10.1f} {percentile(timings, 0.95):8.1f} "
            f"{'/'.join(str(q) for q in sorted(queries)):>8}"
        )
        listing = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith('SELECT "tickets_ticket"."id"')
            and "ORDER BY" in q["sql"]
            and "LIMIT" in q["sql"]
        ]
        if "ticket page" not in label:
            plans += [(label, sql) for sql in listing]

    client = clients[customer.pk]
    timings, queries = [], set()
    for index in range(args.requests):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(
                "/tickets/new/",
                {
                    "subject": f"Benchmark ticket {index}",
                    "description": "Filed by benchmarks/lists.py.",
                    "impact": "medium",
                    "urgency": "high",
                },
            )
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
        queries.add(len(captured))
    label = "new ticket POST (customer)"
    print(
        f"{label:48} {statistics.median(timings):10.1f} {percentile(timings, 0.95):8.1f} "
        f"{'/'.join(str(q) for q in sorted(queries)):>8}"
    )

    print()
    print(f"{'EXPLAIN ANALYZE of the list query':48} {'ms':>8}  plan")
    with connection.cursor() as cursor:
        for label, sql in plans:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (row,) = cursor.fetchall()
            document = row[0] if isinstance(row[0], list) else json.loads(row[0])
            nodes = plan_nodes(document[0]["Plan"])
            kind = "index order" if "Sort" not in " ".join(nodes) else "SORT"
            print(
                f"{label:48} {document[0]['Execution Time']:8.2f}  {kind}: "
                + " > ".join(dict.fromkeys(nodes))
            )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
