"""Time the manager dashboard (90 days) on PostgreSQL with the 100,000-ticket sample data.

Usage (from the project root):
    .venv/bin/python benchmarks/dashboard.py [--requests 30] [--tickets 100000] [--query Q ...]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
bench_dashboard): migrates it and loads the sample data once (`load_sample_data`), then
requests /sla/dashboard/?period=90 (or each --query given) in-process with Django's test
client as a manager and prints median and 95th-percentile server time and the number of
SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/queue.py would shadow the standard library's `queue`: drop this folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument(
        "--query",
        action="append",
        help="dashboard query string to time (repeatable; default period=90, the goal's page)",
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_dashboard")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"

    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[-1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role
    from accounts.services import user_create
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    existing = Ticket.objects.count()
    if existing < args.tickets:
        print(f"Loading sample data ({existing:,} tickets present, {args.tickets:,} wanted)...")
        started = time.perf_counter()
        call_command("load_sample_data", tickets=args.tickets - existing)
        print(f"  loaded in {time.perf_counter() - started:.0f} s")
    # As autovacuum would after a bulk load: statistics and the visibility map.
    previous = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.set_autocommit(previous)
    from accounts.models import User

    manager = User.objects.filter(email="bench-manager@helpdesk.example").first()
    if manager is None:
        manager = user_create(
            email="bench-manager@helpdesk.example", password="x", role=Role.MANAGER
        )
    client = Client()
    client.force_login(manager)
    print(f"Tickets in database: {Ticket.objects.count():,}")
    for query in args.query or ["period=90"]:
        path = f"/sla/dashboard/?{query}"
        response = client.get(path)  # warm up
        assert response.status_code == 200, response.status_code
        timings, queries = [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries.append(len(captured.captured_queries))
        timings.sort()
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        print(f"GET {path} x {args.requests} (in-process Django test client, PostgreSQL)")
        print(f"  median {statistics.median(timings):.1f} ms   p95 {p95:.1f} ms   "
              f"max {timings[-1]:.1f} ms")  # fmt: skip
        print(f"  SQL queries per request: {min(queries)}–{max(queries)}")
        print("  goal: p95 under 300 ms:", "MET" if p95 < 300 else "NOT MET")


if __name__ == "__main__":
    main()
