"""Benchmark the engineers' queue and the ticket page on PostgreSQL at 100,000 tickets.

Run from the repository root (PostgreSQL on 127.0.0.1, user postgres)::

    .venv/bin/python benchmarks/queue.py [--requests 40] [--tickets 100000]

It creates (once) a dedicated database, ``bench_queue`` (``BENCH_DATABASE_URL``
overrides it), migrates it and loads the sample data with ``load_sample_data`` until it
holds ``--tickets`` tickets; later runs reuse it. Then it times requests through Django's
test ``Client`` in-process (the whole Django stack: middleware, session, view, template;
no network, no web server), DEBUG off, and prints for each page the median and p95 server
time, the median CPU time of a request in this process (the Python part: middleware,
view, template; less inflated than wall time when other work shares the cores), the SQL
queries per request and the page's size; then the PostgreSQL plan (EXPLAIN
ANALYZE) of the page queries of every filter, first page and deep page, so one can check
an index serves each (no sort of the whole view, no OFFSET).

Deep pages are keyset pages: the link a user follows after paging down to row 20,000 (or
two thirds into a smaller view) carries that row's sort key (`after=`), and the previous
link the first row's (`before=`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name
# would shadow the standard library's `queue` (which asgiref imports): drop the folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from benchmarks.common import ensure_database, percentile  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_queue"
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


# Sample tags: (name, every how many tickets by id). Every ticket shows its tags in the
# queue, so the pages below measure tags shown as well as filtered.
SAMPLE_TAGS = [("billing", 3), ("backup", 7), ("outage", 10), ("vip", 50), ("security", 1000)]


def tag_sample_tickets() -> None:
    """Tag the sample tickets once (in SQL: 100,000 tickets through the service would take
    minutes), and copy the names onto each ticket as the tag services do."""
    from django.db import connection

    from tickets.models import Tag, TicketTag

    if TicketTag.objects.exists():
        return
    print("Tagging the sample tickets (once)...")
    with connection.cursor() as cursor:
        for name, every in SAMPLE_TAGS:
            tag, _created = Tag.objects.get_or_create(name=name)
            cursor.execute(
                "INSERT INTO tickets_tickettag (ticket_id, tag_id) "
                "SELECT id, %s FROM tickets_ticket WHERE id %% %s = 0",
                [tag.pk, every],
            )
        cursor.execute(
            "UPDATE tickets_ticket t SET tag_names = sub.names FROM ("
            " SELECT tt.ticket_id, jsonb_agg(g.name ORDER BY g.name) AS names"
            " FROM tickets_tickettag tt JOIN tickets_tag g ON g.id = tt.tag_id"
            " GROUP BY tt.ticket_id) sub WHERE sub.ticket_id = t.id"
        )


def deep_key(engineer, query: str, now) -> str:  # type: ignore[no-untyped-def]
    """The sort key of the row a user reaches paging down a view: row 20,000, or two
    thirds into a smaller view (found here with OFFSET, once, to build the link)."""
    # Imported here: Django is set up by main(), after this module is loaded.
    from django.http import QueryDict

    from tickets.queue import QueueFilters, QueueKey, queue_tickets

    tickets = queue_tickets(user=engineer, filters=QueueFilters.parse(QueryDict(query)), now=now)
    total = tickets.count()
    if total < 60:
        return ""
    ticket = tickets[min(20_000, total * 2 // 3)]
    return QueueKey.of(ticket).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--no-explain", action="store_true")
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
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organization, User
    from tickets.models import Product, Ticket
    from tickets.queue import (
        QueueFilters,
        QueueKey,
        queue_counts,
        queue_page,
        queue_tickets,
        queue_views,
    )

    call_command("migrate", verbosity=0)
    have = Ticket.objects.count()
    if have < args.tickets:
        print(f"Loading {args.tickets - have} sample tickets (once)...")
        call_command("load_sample_data", tickets=args.tickets - have)
    tag_sample_tickets()
    with connection.cursor() as cursor:
        # What autovacuum does in production; a fresh bulk load has no visibility map yet.
        cursor.execute("VACUUM ANALYZE")

    engineer = User.objects.filter(email="engineer0@sample-staff.example").get()
    open_count = Ticket.objects.filter(status__in=["new", "open", "pending_customer", "on_hold"])
    busiest = Organization.objects.filter(name__startswith="Sample Org ").order_by("pk").first()
    product = Product.objects.order_by("pk").first()
    assert busiest is not None and product is not None
    print(
        f"Database: {connection.settings_dict['NAME']} on PostgreSQL "
        f"{connection.pg_version // 10000}; {Ticket.objects.count()} tickets, "
        f"{open_count.count()} open; Django test Client in-process, DEBUG off; "
        f"{args.requests} timed requests per page after 3 warm-up requests."
    )
    cases = [
        ("queue, default (open, time to breach)", ""),
        ("queue, 100 rows per page", "size=100"),
        ("queue, My open", "assignee=me"),
        ("queue, Unassigned P1/P2", "assignee=unassigned&priority=P1&priority=P2"),
        ("queue, At risk", "sla=at_risk"),
        ("queue, Breached", "sla=breached"),
        ("queue, one organization", f"organization={busiest.pk}"),
        ("queue, tier premium", "tier=premium"),
        ("queue, channel phone", "channel=phone"),
        ("queue, product", f"product={product.pk}"),
        ("queue, text search 'tape'", "q=tape"),
        ("queue, status closed", "status=closed"),
        (
            "queue, org + P2 + unassigned",
            f"organization={busiest.pk}&priority=P2&assignee=unassigned",
        ),
        ("queue, tag 'billing' (1 in 3 tickets)", "tag=billing"),
        ("queue, tag 'security' (1 in 1,000)", "tag=security"),
        ("queue, tags 'billing' + 'outage'", "tag=billing&tag=outage"),
        ("queue, tag + P2 + unassigned", "tag=billing&priority=P2&assignee=unassigned"),
    ]
    client = Client()
    client.force_login(engineer)
    now = timezone.now()
    ticket = queue_tickets(user=engineer, filters=QueueFilters(), now=now).first()
    assert ticket is not None
    pages = [(label, f"/tickets/queue/?{query}") for label, query in cases]
    deep_cases = []
    for label, query in cases:
        if "page=" in query or "size=" in query:
            continue
        key = deep_key(engineer, query, now)
        if key:
            deep_cases.append((f"{label}, deep", f"{query}&after={key}".lstrip("&")))
    deep_cases.append(("queue, default, deep, previous", f"before={deep_key(engineer, '', now)}"))
    pages += [(label, f"/tickets/queue/?{query}") for label, query in deep_cases]
    pages.append(("ticket page (staff)", f"/tickets/{ticket.pk}/"))
    pages.append(("queue fragment (htmx), default", "/tickets/queue/"))
    pages.append(("row menu: actions", f"/tickets/queue/{ticket.pk}/menu/?part=actions"))
    pages.append(("row menu: reply", f"/tickets/queue/{ticket.pk}/menu/?part=reply"))

    print()
    print(
        f"{'page':52} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} "
        f"{'rows':>5} {'KB':>6}"
    )
    for label, path in pages:
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
        for _ in range(3):
            client.get(path, **headers)
        timings = []
        cpu: list[float] = []
        queries = set()
        rows = 0
        size = 0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                start, cpu_start = time.perf_counter(), time.process_time()
                response = client.get(path, **headers)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - cpu_start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries.add(len(captured))
            rows = response.content.decode().count('class="queue-row')
            size = len(response.content)
        print(
            f"{label:52} {statistics.median(timings):10.1f} {percentile(timings, 0.95):8.1f} "
            f"{statistics.median(cpu):7.1f} "
            f"{'/'.join(str(q) for q in sorted(queries)):>8} {rows:5d} {size / 1024:6.0f}"
        )
    print(f"Load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")

    if args.no_explain:
        return
    print()
    print("PostgreSQL plans (EXPLAIN ANALYZE) of each filter's page queries:")
    for label, query in cases + deep_cases:
        data = QueryDict(query)
        filters = QueueFilters.parse(data)
        tickets = queue_tickets(user=engineer, filters=filters, now=now)
        after = QueueKey.decode(data["after"]) if data.get("after") else None
        before = QueueKey.decode(data["before"]) if data.get("before") else None
        size = int(data.get("size") or 25)
        with CaptureQueriesContext(connection) as captured:
            queue_page(tickets, size=size, now=now, after=after, before=before)
        for index, executed in enumerate(captured.captured_queries[:-1]):  # the last: clocks
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + executed["sql"])
                plan = [line for (line,) in cursor.fetchall()]
            print(f"\n-- {label} [{query or 'no filter'}] query {index + 1}")
            for line in plan:
                print("   " + line)
    print("\n-- side-bar counts (built-in views), one query, each at most 1,001 rows")
    queries = {view.key: view.query for view in queue_views(user=engineer)}
    with CaptureQueriesContext(connection) as captured:
        queue_counts(user=engineer, queries=queries, now=now)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + captured[0]["sql"])
        for (line,) in cursor.fetchall():
            print("   " + line)


if __name__ == "__main__":
    main()
