"""Load a million sample tickets (or any number) into PostgreSQL with COPY.

Run from the repository root (PostgreSQL on 127.0.0.1, user postgres)::

    .venv/bin/python benchmarks/load_million.py --database bench_1m --tickets 1000000

It creates the database if needed, migrates it, seeds the demo data (plans, calendars,
demo people) and then tops it up to ``--tickets`` sample tickets with the same rows
``manage.py load_sample_data`` builds (organizations of every tier in seven zones, their
customers, engineers, tickets with real first-response clocks computed by each
organization's business calendar, comments, timeline events and dashboard facts), but
written with PostgreSQL's ``COPY`` in batches of 10,000 tickets instead of ``INSERT``.

History: by default two years (``--days 730``), 5% of the tickets in the last ten days
(mostly still open), the rest spread evenly over the two years (mostly solved or
closed), so a million tickets are a real million over time, not ten times one window.
``--days 180 --recent-share 0.5`` gives ``load_sample_data``'s default shape.

It ends with ``VACUUM ANALYZE`` and prints the time each step took and the table sizes.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where `queue.py` would
# shadow the standard library's `queue`: drop the folder (as benchmarks/queue.py does).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import datetime  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import ensure_database  # noqa: E402

ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "EMAIL_URL": "consolemail://",
    "LOG_LEVEL": "WARNING",
}


def _text(value: str) -> str:
    """One value in COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def copy_value(field: Any, value: Any) -> str:
    if value is None:
        return "\\N"
    internal = field.get_internal_type()
    if internal == "JSONField":
        return _text(json.dumps(value, cls=field.encoder))
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"{value.days} days {value.seconds}.{value.microseconds:06d} seconds"
    return _text(str(value))


def make_command() -> Any:
    """`load_sample_data` with its inserts done by COPY (Django is set up by now)."""
    from django.db import connection

    from tickets.management.commands import load_sample_data

    class CopyCommand(load_sample_data.Command):
        batch_size = 10_000

        def save_rows(self, model: type[Any], rows: list[Any]) -> None:
            if not rows:
                return
            table = model._meta.db_table
            fields = model._meta.concrete_fields
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                    row.pk = pk
                buffer = io.StringIO()
                for row in rows:
                    buffer.write(
                        "\t".join(
                            copy_value(field, field.pre_save(row, add=True)) for field in fields
                        )
                    )
                    buffer.write("\n")
                buffer.seek(0)
                columns = ", ".join(f'"{field.column}"' for field in fields)
                cursor.cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', buffer)

    return CopyCommand()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="bench_1m", help="PostgreSQL database name")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--recent-share", type=float, default=0.05)
    parser.add_argument("--organizations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    ensure_database(url)
    os.environ.update(ENVIRONMENT)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tickets.models import Ticket

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Ticket.objects.count()
    print(f"Migrated and seeded in {time.monotonic() - started:.1f} s; {have} tickets there.")
    if have < args.tickets:
        step = time.monotonic()
        call_command(
            make_command(),
            tickets=args.tickets - have,
            organizations=args.organizations,
            seed=args.seed + have,
            days=args.days,
            recent_share=args.recent_share,
        )
        print(f"Loaded {args.tickets - have} tickets in {time.monotonic() - step:.1f} s.")
    step = time.monotonic()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.monotonic() - step:.1f} s.")
        cursor.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) "
            "FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 8"
        )
        for name, rows, size in cursor.fetchall():
            print(f"  {name:32} {rows:>10,} rows {size:>10}")
    print(f"Total {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
