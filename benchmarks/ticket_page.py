"""In-process figures for filing a ticket and for the ticket page (issue 16).

Run from the repository root, on a private database filled by ``load_sample_data``::

    createdb -h 127.0.0.1 -U postgres h_post_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_post_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_post_bench \\
        .venv/bin/python manage.py load_sample_data --tickets 2000
    .venv/bin/python benchmarks/ticket_page.py --database h_post_bench [--runs 200]

It files tickets as a Standard customer through ``POST /tickets/new/`` (the whole
request, Django's test client, DEBUG off, no test transaction), then builds a ticket at
a realistic size through the services (20 replies from both sides, 2 internal notes,
3 tags, 2 links, a CC'd colleague, its clock) and renders its page for an engineer and
for the customer. Prints median, p95 and the queries of each, and the load average.
In-process figures leave out the server (see ``http_pages.py`` for figures over HTTP).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from benchmarks.http_pages import ENVIRONMENT  # noqa: E402


def _figures(name: str, run: Callable[[], int], runs: int, profile: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm templates, translations and connections
        run()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [run() for _ in range(20)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status = run()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        status = run()
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{name:<34} status {status}  median {statistics.median(times):6.1f} ms  "
        f"p95 {p95:6.1f} ms  queries {len(queries.captured_queries)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="h_post_bench")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()
    if args.database in ("bench_100k", "bench_1m"):
        parser.error("this script writes tickets: use your own database")
    os.environ.update(ENVIRONMENT)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ["STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    import django

    django.setup()
    from django.test import Client

    from accounts.models import Organization, Role, Tier, User
    from tickets import links, services, tags
    from tickets.models import LinkKind, Ticket

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    organization = Organization.objects.filter(tier=Tier.STANDARD).order_by("pk").first()
    if organization is None:
        parser.error("no Standard organization: run load_sample_data first")
    customers = list(
        User.objects.filter(organization=organization, is_active=True).order_by("pk")[:2]
    )
    engineer = User.objects.filter(groups__name=Role.ENGINEER, is_active=True).first()
    if len(customers) < 2 or engineer is None:
        parser.error("need two customers of one Standard organization and an engineer")
    customer, colleague = customers

    client = Client()
    client.force_login(customer)
    form = {
        "subject": "Benchmark: restore fails",
        "description": "Error 42 on every restore, since the upgrade to 7.2.",
        "impact": "medium",
        "urgency": "medium",
    }
    _figures(
        "POST /tickets/new/ (Standard)",
        lambda: client.post("/tickets/new/", form).status_code,
        args.runs,
        args.profile,
    )

    ticket = services.ticket_create(
        requester=customer,
        subject="Benchmark: the ticket page at a realistic size",
        description="Backups stop at 90 %.\n\n```\nerror 42: chunk store locked\n```",
        impact="high",
        urgency="high",
        cc=[colleague],
    )
    for number in range(20):
        author = engineer if number % 2 else customer
        services.comment_add(
            ticket=Ticket.objects.get(pk=ticket.pk),
            author=author,
            body=f"Reply {number}: we tried **step {number}**, see `log-{number}.txt`.",
        )
    for number in range(2):
        services.comment_add(
            ticket=Ticket.objects.get(pk=ticket.pk),
            author=engineer,
            body=f"Internal note {number}",
            is_public=False,
        )
    tags.ticket_tags_set(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=engineer,
        names=["backup", "regression", "7.2"],
    )
    others = Ticket.objects.filter(organization=organization).exclude(pk=ticket.pk)[:2]
    for other, kind in zip(others, [LinkKind.RELATED, LinkKind.CAUSED_BY], strict=False):
        links.ticket_link(source=ticket, target=other, kind=kind, actor=engineer)

    path = f"/tickets/{ticket.pk}/"
    staff = Client()
    staff.force_login(engineer)
    _figures(
        "GET ticket page (engineer)", lambda: staff.get(path).status_code, args.runs, args.profile
    )
    _figures(
        "GET ticket page (customer)", lambda: client.get(path).status_code, args.runs, args.profile
    )
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
