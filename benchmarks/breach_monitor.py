"""Benchmark the breach monitor (``sla.monitor.run_monitor``) on PostgreSQL with 1M clocks.

Run from the repository root (PostgreSQL must answer; the database is dropped and rebuilt)::

    .venv/bin/python benchmarks/breach_monitor.py \
        [--server postgres://postgres@127.0.0.1:5432] [--database bench_monitor] \
        [--rows 1000000] [--repeat 3]

It creates the database, migrates it, and bulk-loads tickets and SLA clocks with
``INSERT ... SELECT generate_series`` (two clocks per ticket): 95% met, 5% open, due times
spread over the past two weeks and the next one; open clocks already past their due time
are already flagged breached, as a running monitor leaves them. Before each timed run a
pool of open clocks is "armed" so that exactly K cross a threshold: K/2 became due and
K/2 reached their warning time within the last minute, the steady state a one-minute beat
sees. It prints each run's time (median of ``--repeat``), how many queries it made, the
EXPLAIN (ANALYZE) plans of the two scan queries, and the plans of every statement the run
sent to ``sla_slaclock``, refusing a sequential scan on it.

E-mails are queued for real: rendered per recipient and written to the outbox in the
batch's transaction, the relay woken after COMMIT by one task per batch published on
kombu's in-memory transport, so publishing costs are in, but no broker or SMTP server is
needed (delivery itself is the relay's work, not the monitor's).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not this folder: a benchmark named like a standard module (queue.py) would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

SIZES_AND_FLAGS = [(1_000, [0, 100]), (None, [0, 10, 100, 1000, 2000])]  # None: --rows


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_monitor")
    parser.add_argument("--rows", type=int, default=1_000_000, help="SLA clocks to load")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    return parser.parse_args()


def create_database(server: str, name: str) -> None:
    import psycopg2

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing database name {name!r}")
    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def setup_django(server: str, name: str) -> None:
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ.setdefault("DEBUG", "1")
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()


def make_people() -> object:
    """A Premium organization with a customer; two engineers, a manager, an account manager."""
    from django.contrib.auth.models import Group

    from accounts.models import Organization, Role, Tier, User

    def staff(email: str, role: str) -> User:
        user = User.objects.create_user(email, "bench-password-0123")
        user.groups.add(Group.objects.get(name=role))
        return user

    staff("eng1@bench.example", Role.ENGINEER)
    staff("eng2@bench.example", Role.ENGINEER)
    staff("manager@bench.example", Role.MANAGER)
    account_manager = staff("am@bench.example", Role.ENGINEER)
    organization = Organization.objects.create(
        name="Bench Premium", tier=Tier.PREMIUM, time_zone="UTC", account_manager=account_manager
    )
    customer = User.objects.create_user("customer@bench.example", "bench-password-0123")
    customer.organization = organization
    customer.save()
    return customer


def load(rows: int, *, pool: int, customer: object, now: datetime) -> list[int]:
    """Replace all tickets and clocks with `rows` clocks (two per ticket); returns the pool."""
    from django.db import connection

    from tickets.services import ticket_create

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tickets_ticket CASCADE")
    template = ticket_create(
        requester=customer,  # type: ignore[arg-type]
        subject="Template",
        description="Bench.",
        impact="high",
        urgency="high",
        at=now - timedelta(days=30),
    )
    tickets = (rows + 1) // 2
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sla_slaclock")
        cursor.execute("DELETE FROM tickets_event")
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'tickets_ticket' AND column_name NOT IN ('id', 'subject')"
        )
        columns = [row[0] for row in cursor.fetchall()]
        names = ", ".join(f'"{c}"' for c in columns)
        copied = ", ".join(f't."{c}"' for c in columns)
        cursor.execute(
            f"INSERT INTO tickets_ticket (subject, {names}) "
            f"SELECT 'Bench ticket ' || g, {copied} FROM tickets_ticket t "
            f"CROSS JOIN generate_series(1, %s) g WHERE t.id = %s",
            [tickets, template.pk],
        )
        # The template goes, with every row that refers to it (facts, search document...).
        cursor.execute("DELETE FROM sla_ticketfacts WHERE ticket_id = %s", [template.pk])
        cursor.execute(
            "DELETE FROM tickets_ticketsearchdocument WHERE ticket_id = %s", [template.pk]
        )
        cursor.execute("DELETE FROM tickets_ticket WHERE id = %s", [template.pk])
        # Every ticket has its dashboard facts, as the services leave them, so a flag's
        # refresh updates a row rather than inserting one.
        cursor.execute(
            "INSERT INTO sla_ticketfacts (ticket_id, organization_id, tier, priority, "
            "product_id, assignee_id, created_at, solved_at) "
            "SELECT id, organization_id, tier, priority, product_id, assignee_id, created_at, "
            "solved_at FROM tickets_ticket"
        )
        # r in [0, 1000): 0-949 met, 950-969 open and already breached, 970-979 open and
        # already flagged at risk, 980-999 open and due next week. s spreads the instants.
        # The first `pool` clocks are parked open far ahead, re-armed for each run.
        cursor.execute(
            """
            INSERT INTO sla_slaclock (ticket_id, metric, target, warning_percent, started_at,
                due_at, warn_at, paused_at, paused_business_time, met_at, business_time_to_meet,
                at_risk_at, breached_at, generation)
            SELECT ticket_id, metric, interval '4 hours', 25, started,
                due, warn, NULL, interval '0', met, NULL, at_risk, breached, 1
            FROM (
                SELECT ticket_id, metric, rn, r,
                    CASE WHEN rn <= %(pool)s THEN %(now)s + interval '30 days'
                         WHEN r < 970 THEN %(now)s - interval '14 days' * s
                         WHEN r < 980 THEN %(now)s + interval '2 hours' + interval '1 day' * s
                         ELSE %(now)s + interval '2 hours' + interval '7 days' * s END AS due,
                    CASE WHEN rn <= %(pool)s THEN %(now)s + interval '29 days'
                         WHEN r < 970 THEN %(now)s - interval '14 days' * s - interval '1 hour'
                         WHEN r < 980 THEN %(now)s - interval '1 hour' * s
                         ELSE %(now)s + interval '1 hour' + interval '7 days' * s END AS warn,
                    CASE WHEN rn <= %(pool)s THEN NULL
                         WHEN r < 950 THEN %(now)s - interval '14 days' * s
                              + interval '10 minutes' * (r %% 7 - 3) END AS met,
                    CASE WHEN rn > %(pool)s AND r >= 970 AND r < 980 THEN %(now)s END AS at_risk,
                    CASE WHEN rn > %(pool)s AND r < 970 AND (r >= 950 OR r %% 7 > 3)
                         THEN %(now)s - interval '14 days' * s END AS breached,
                    CASE WHEN rn <= %(pool)s THEN %(parked)s
                         ELSE %(now)s - interval '14 days' * s - interval '4 hours' END
                         AS started
                FROM (
                    SELECT t.id AS ticket_id, m.metric,
                        row_number() OVER (ORDER BY t.id, m.metric) AS rn,
                        ((t.id * 7919 + m.k * 104729) %% 1000) AS r,
                        ((t.id * 15485863 + m.k * 32452843) %% 10000) / 10000.0 AS s
                    FROM tickets_ticket t
                    CROSS JOIN (VALUES ('first_response', 1), ('resolution', 2)) m(metric, k)
                ) numbered
                WHERE rn <= %(rows)s
            ) generated
            """,
            {"pool": pool, "now": now, "rows": rows, "parked": now - timedelta(days=30)},
        )
        cursor.execute("VACUUM ANALYZE sla_slaclock")
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE sla_ticketfacts")
        cursor.execute(
            "SELECT id FROM sla_slaclock WHERE started_at = %s ORDER BY id",
            [now - timedelta(days=30)],
        )
        return [row[0] for row in cursor.fetchall()]


def arm(*, pool: list[int], breaches: int, warnings: int, now: datetime) -> None:
    """Park the pool far ahead, then make `breaches` due and `warnings` at risk in the last
    minute: the crossings one run must flag."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification")
        cursor.execute("DELETE FROM tickets_event WHERE kind IN ('sla_breached', 'sla_at_risk')")
        ids = pool
        cursor.execute(
            "UPDATE sla_slaclock SET met_at = NULL, breached_at = NULL, at_risk_at = NULL, "
            "generation = 1, due_at = %s, warn_at = %s WHERE id = ANY(%s)",
            [now + timedelta(days=30), now + timedelta(days=29), ids],
        )
        cursor.execute(
            "UPDATE sla_slaclock SET due_at = %s - interval '1 second' * (id %% 60), "
            "warn_at = %s - interval '3 minutes' WHERE id = ANY(%s)",
            [now, now, ids[:breaches]],
        )
        cursor.execute(
            "UPDATE sla_slaclock SET warn_at = %s - interval '1 second' * (id %% 60), "
            "due_at = %s + interval '10 minutes' WHERE id = ANY(%s)",
            [now, now, ids[breaches : breaches + warnings]],
        )


def explain_scans(now: datetime, batch: int) -> list[tuple[str, str]]:
    from sla.monitor import clocks_past_due, clocks_past_warning

    due = clocks_past_due(now=now).values_list("pk", flat=True)[:batch]
    warn = clocks_past_warning(now=now).values_list("pk", "generation")[:batch]
    return [
        ("breach scan", due.explain(analyze=True, buffers=True)),
        ("at-risk scan", warn.explain(analyze=True, buffers=True)),
    ]


def timed_run(now: datetime) -> tuple[object, float]:
    from sla.monitor import run_monitor

    started = time.perf_counter()
    result = run_monitor(now)
    return result, time.perf_counter() - started


def captured_run(now: datetime) -> list[str]:
    """A run whose SQL is recorded (not timed: recording costs a little)."""
    from django.db import connection

    from sla.monitor import run_monitor

    statements: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql % tuple(_literal(p) for p in params) if params else sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run_monitor(now)
    return statements


def _literal(value: object) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [value]).decode()


def clock_statements(queries: list[str]) -> dict[str, str]:
    """One example of each distinct statement shape that touched sla_slaclock."""
    shapes: dict[str, str] = {}
    for sql in queries:
        if "sla_slaclock" not in sql or sql.startswith(("SAVEPOINT", "RELEASE")):
            continue
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
        shapes.setdefault(shape, sql)
    return shapes


def main() -> None:
    args = parse_args()
    create_database(args.server, args.database)
    setup_django(args.server, args.database)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from sla.monitor import BATCH_SIZE

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    customer = make_people()
    now = timezone.now().replace(microsecond=0)
    print(f"PostgreSQL {connection.pg_version // 10000}, database {args.database}")
    print(f"monitor batch size {BATCH_SIZE}; median of {args.repeat} runs per figure\n")
    figures = []
    seq_scans = []
    for size, flag_counts in SIZES_AND_FLAGS:
        rows = size or args.rows
        load_started = time.perf_counter()
        pool = load(rows, pool=max(flag_counts), customer=customer, now=now)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE met_at IS NULL) FROM sla_slaclock"
            )
            total, open_clocks = cursor.fetchone()
        print(
            f"loaded {total:,} clocks ({open_clocks:,} open) in "
            f"{time.perf_counter() - load_started:.1f}s"
        )
        arm(pool=pool, breaches=5, warnings=5, now=now)
        timed_run(now)  # warm-up: templates, caches, connection
        for flagged in flag_counts:
            breaches, warnings = flagged // 2, flagged - flagged // 2
            durations, result = [], None
            for _ in range(args.repeat):
                arm(pool=pool, breaches=breaches, warnings=warnings, now=now)
                result, elapsed = timed_run(now)
                durations.append(elapsed)
                assert (result.breached, result.at_risk) == (breaches, warnings), result
                rerun = timed_run(now)[0]  # a rerun finds nothing left
                assert (rerun.breached, rerun.at_risk) == (0, 0), rerun
            arm(pool=pool, breaches=breaches, warnings=warnings, now=now)
            plans = explain_scans(now, BATCH_SIZE)
            queries = captured_run(now)
            figures.append((total, flagged, result, statistics.median(durations), len(queries)))
            scan_ms = sum(
                float(m) for _, plan in plans for m in re.findall(r"Execution Time: ([\d.]+)", plan)
            )
            print(
                f"  {total:>9,} clocks, {flagged:>4} flagged "
                f"({result.breached} breached, {result.at_risk} at risk): "
                f"run {statistics.median(durations) * 1000:8.1f} ms, {len(queries):>5} queries, "
                f"both scans {scan_ms:.3f} ms"
            )
            if rows == args.rows and flagged == 100:
                shown_plans, shown_queries = plans, queries
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the scan queries, 1M clocks, 100 flagged:")
    for label, plan in shown_plans:
        print(f"-- {label}\n{plan}\n")
        if re.search(r"Seq Scan on sla_slaclock", plan):
            seq_scans.append(label)
    print("EXPLAIN of every other statement the run sent to sla_slaclock:")
    with connection.cursor() as cursor:
        for shape, sql in clock_statements(shown_queries).items():
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"-- {shape[:150]}{'…' if len(shape) > 150 else ''}\n{plan}\n")
            if "Seq Scan on sla_slaclock" in plan:
                seq_scans.append(shape)
    print("summary (median run time):")
    for total, flagged, _result, duration, _count in figures:
        per = f", {duration * 1000 / flagged:.2f} ms per flagged clock" if flagged else ""
        print(f"  {total:>9,} clocks  {flagged:>4} flagged  {duration * 1000:8.1f} ms{per}")
    print("sequential scans on sla_slaclock:", ", ".join(seq_scans) if seq_scans else "none")
    print(f"benchmark took {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
