"""Load: simulated customers, engineers and a manager against the real stack, for minutes.

Run from the repository root, with PostgreSQL (postgres@127.0.0.1:5432, trust) and Redis
(127.0.0.1:6379) running, after ``pip install -e ".[bench]"`` (locust)::

    .venv/bin/python benchmarks/load.py [--users 100] [--minutes 10] [--tickets 20000]

1. Creates (once) the database ``bench_load`` (``BENCH_DATABASE_URL`` overrides it),
   migrates it, loads the demo data (``seed_demo``) and ``load_sample_data`` until it
   holds ``--tickets`` tickets, and adds the simulated people's logins (customers of
   Standard and Premium organizations, engineers, managers; PBKDF2 as in production).
2. Starts an SMTP sink on loopback, gunicorn (production settings, DEBUG off, manifest
   static files collected first; 2 x cores + 1 sync workers), one Celery worker (prefork,
   2 processes) and Celery beat, all on that database and Redis DB 5 (``--redis-db``;
   only that DB is flushed). The monitor runs every ``SLA_MONITOR_INTERVAL_SECONDS``
   (default 60).
3. Flags what was already due (one monitor run in this process) and waits for the
   outbox to drain, then files probe tickets (Premium, P1, 15 minutes, 24x7) backdated
   so that one falls due every ``--probe-every`` seconds during the run, and runs
   locust headless with ``benchmarks/load_locustfile.py``.
4. Prints per page: requests, p50, p95, max, failures; requests/s; the load average
   (``/proc/loadavg`` every 10 s); the monitor lag (breach flag minus due time) of every
   clock that fell due during the run; the outbox at the end of the load and the time it
   took to drain; the e-mails the sink received. Exits 1 on any failed request, a lag
   over ``--max-lag`` seconds or an outbox that did not drain within 2 minutes.

Every process it started is stopped at the end, also on Ctrl-C or an error.
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
import csv  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import ensure_database, free_port, percentile  # noqa: E402

ROOT = _HERE.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_load"
PASSWORD = "load-test-password"
ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.5)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- the data -----------------------------------------------------------------------------


def prepare_data(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate, seed, top up the sample tickets, and create the simulated people's logins."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Organization, Role, Tier, User
    from tickets import services
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Ticket.objects.count()
    if have < args.tickets:
        print(f"Loading {args.tickets - have} sample tickets (once)...")
        call_command("load_sample_data", tickets=args.tickets - have)

    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    hashed = make_password(PASSWORD)  # one PBKDF2 hash, as the server checks it

    def person(email: str, role: str, **fields: Any) -> User:
        user, created = User.objects.get_or_create(email=email, defaults=fields)
        if created:
            user.password = hashed
            user.save(update_fields=["password"])
            user.groups.add(groups[role])
            if role == Role.MANAGER:
                user.groups.add(groups[Role.ENGINEER])
        return user

    managers = [
        person(f"load-manager{n}@load-staff.example", Role.MANAGER, first_name=f"Manager {n}")
        for n in range(3)
    ]
    engineers = [
        person(f"load-engineer{n}@load-staff.example", Role.ENGINEER, first_name=f"Engineer {n}")
        for n in range(args.users)
    ]
    probe_engineer = person(
        "load-probe-engineer@load-staff.example", Role.ENGINEER, first_name="Probe"
    )
    organizations = []
    for tier, zone, country in (
        (Tier.PREMIUM, "Europe/Berlin", "DE"),
        (Tier.STANDARD, "America/Sao_Paulo", "BR"),
    ):
        for n in range(3):
            organization, _ = Organization.objects.get_or_create(
                name=f"Load {tier.label} {n}",
                defaults={
                    "tier": tier,
                    "time_zone": zone,
                    "country": country,
                    "account_manager": managers[n] if tier == Tier.PREMIUM else None,
                },
            )
            organizations.append(organization)
    customers = []
    for n in range(args.users):
        organization = organizations[n % len(organizations)]
        customer = person(
            f"load-customer{n}@load-{organization.pk}.example",
            Role.CUSTOMER,
            first_name=f"Customer {n}",
            organization=organization,
        )
        customers.append(customer)
        if not Ticket.objects.filter(requester=customer).exists():
            # Something to read and answer from the first page on: two tickets, a day old.
            for days in (1, 2):
                services.ticket_create(
                    requester=customer,
                    subject=f"Restore job hangs at 99% (day {days})",
                    description="The restore of the file server stops at 99%.",
                    impact="low",
                    urgency="medium",
                    at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days),
                )
    probe_customer = person(
        f"load-probe@load-{organizations[0].pk}.example",
        Role.CUSTOMER,
        first_name="Probe",
        organization=organizations[0],
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "customers": [user.email for user in customers],
        "engineers": [user.email for user in engineers],
        "managers": [user.email for user in managers],
        "probe_customer": probe_customer.pk,
        "probe_engineer": probe_engineer.pk,
    }


def file_probes(
    *, people: dict[str, Any], first_due: datetime.datetime, last_due: datetime.datetime, every: int
) -> list[int]:
    """Premium P1 tickets (15 minutes, 24x7) filed in the past so that one falls due every
    `every` seconds between `first_due` and `last_due`; assigned, so that their at-risk
    flags go to one engineer, not to all of them."""
    from accounts.models import User
    from tickets import services

    customer = User.objects.get(pk=people["probe_customer"])
    engineer = User.objects.get(pk=people["probe_engineer"])
    now = datetime.datetime.now(datetime.UTC)
    ids = []
    due = first_due
    while due <= last_due:
        filed = due - datetime.timedelta(minutes=15)
        if filed > now:
            break  # a run longer than the target: the rest would be filed in the future
        ticket = services.ticket_create(
            requester=customer,
            subject=f"Probe due at {due:%H:%M:%S}",
            description="A ticket whose deadline measures the breach monitor's lag.",
            impact="high",
            urgency="high",
            at=filed,
        )
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
        ids.append(ticket.pk)
        due += datetime.timedelta(seconds=every)
    return ids


# --- the processes ------------------------------------------------------------------------


class SMTPSink:
    """An SMTP server on loopback that counts what it accepted."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received = 0
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.received += 1
        return "250 OK"


class Stack:
    """gunicorn, a Celery worker and beat, each logging to a file of its own."""

    def __init__(self, workdir: Path, environment: dict[str, str]) -> None:
        self.workdir = workdir
        self.environment = environment
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str]) -> None:
        with (self.workdir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited ({process.returncode}):\n{self.log(name)[-3000:]}"
                )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.processes.clear()


def web_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


# --- what is watched during the run --------------------------------------------------------


class Watcher(threading.Thread):
    """Every 10 s the load average; every 2 s the new breach flags (timeline events), with
    the instant this process first saw each one."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.load: list[tuple[float, float]] = []
        self.flags: list[dict[str, Any]] = []
        self.last_event = 0

    def run(self) -> None:
        from django.db import connection

        from tickets.models import Event, EventKind

        latest = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.last_event = latest or 0
        next_load = 0.0
        while not self.stopping.is_set():
            if time.monotonic() >= next_load:
                with open("/proc/loadavg", encoding="ascii") as loadavg:
                    self.load.append((time.monotonic(), float(loadavg.read().split()[0])))
                next_load = time.monotonic() + 10
            seen = datetime.datetime.now(datetime.UTC)
            for pk, data, created_at in Event.objects.filter(
                kind=EventKind.SLA_BREACHED, pk__gt=self.last_event
            ).values_list("pk", "data", "created_at"):
                self.last_event = max(self.last_event, pk)
                if data.get("due"):
                    due = datetime.datetime.fromisoformat(data["due"])
                    self.flags.append({"due": due, "flagged": created_at, "seen": seen})
            self.stopping.wait(2)
        connection.close()


# --- the report ---------------------------------------------------------------------------


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def print_pages(rows: list[dict[str, str]]) -> tuple[int, int, float]:
    print(f"\n{'page':42} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'failed':>6}")
    total = failures = 0
    rate = 0.0
    for row in sorted(rows, key=lambda row: -int(row["Request Count"])):
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        line = (
            f"{name:42} {row['Request Count']:>8} {row['50%']:>7} {row['95%']:>7} "
            f"{float(row['Max Response Time']):7.0f} {row['Failure Count']:>6}"
        )
        if row["Name"] == "Aggregated":
            total, failures = int(row["Request Count"]), int(row["Failure Count"])
            rate = float(row["Requests/s"])
            aggregate = line
        else:
            print(line)
    print(aggregate)
    return total, failures, rate


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    from helpdesk.models import OutboxMessage

    counts = {"pending": 0, "sent": 0, "failed": 0}
    for row in OutboxMessage.objects.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts


def drain_outbox(timeout: float) -> float | None:
    """Seconds until no message is pending, or None if some still were after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if outbox_counts()["pending"] == 0:
            return time.monotonic() - start
        time.sleep(1)
    return None


def lag_report(flags: list[dict[str, Any]], start: datetime.datetime) -> float:
    """Print the lag of every breach flagged for a clock due since `start`; return the max."""
    flags = [flag for flag in flags if flag["due"] >= start]
    if not flags:
        print("Monitor lag: no clock fell due during the run.")
        return 0.0
    recorded = [(f["flagged"] - f["due"]).total_seconds() for f in flags]
    seen = [(f["seen"] - f["due"]).total_seconds() for f in flags]
    print(
        f"Monitor lag over {len(flags)} breaches of clocks due during the run "
        f"(flag minus due time, s):\n"
        f"  as recorded (the monitor run's instant): median {statistics.median(recorded):.1f}, "
        f"p95 {percentile(recorded, 0.95):.1f}, max {max(recorded):.1f}\n"
        f"  as seen committed (polled every 2 s):    median {statistics.median(seen):.1f}, "
        f"p95 {percentile(seen, 0.95):.1f}, max {max(seen):.1f}"
    )
    by_minute: dict[int, float] = {}
    for flag, lag in zip(flags, seen, strict=True):
        minute = int((flag["due"] - start).total_seconds() // 60)
        by_minute[minute] = max(by_minute.get(minute, 0.0), lag)
    print(
        "  max seen per minute of the run (by due time): "
        + ", ".join(f"{by_minute[m]:.0f}" for m in sorted(by_minute))
    )
    return max(seen)


# --- the run ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--probe-every", type=int, default=5, help="seconds between probes")
    parser.add_argument("--max-lag", type=float, default=60)
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--output", type=Path, help="keep logs and CSVs here")
    args = parser.parse_args()
    if args.redis_db == 0:
        parser.error("--redis-db 0 is the machine's default database; use another one")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    ensure_database(url)
    workdir = args.output or Path(tempfile.mkdtemp(prefix="bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sink = SMTPSink()
    sink.controller.start()
    environment = {
        **os.environ,
        **ENVIRONMENT,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.controller.port}",
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    environment.pop("STATICFILES_STORAGE", None)  # production: the manifest storage
    os.environ.update(environment)
    subprocess.run(["redis-cli", "-n", str(args.redis_db), "FLUSHDB"], check=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sla.monitor import run_monitor

    started = time.monotonic()
    people = prepare_data(args)
    call_command("collectstatic", interactive=False, verbosity=0)
    # What was already due before the run is flagged now, not counted as the run's lag.
    backlog = run_monitor()
    connection.close()
    print(
        f"Data ready in {time.monotonic() - started:.0f} s "
        f"(flagged before the run: {backlog.breached} breached, {backlog.at_risk} at risk)."
    )

    port = free_port()
    stack = Stack(workdir, environment)
    watcher = Watcher()
    exit_code = 1
    try:
        stack.start(
            "web",
            [str(BIN / "gunicorn"), "helpdesk.wsgi:application", "--workers", str(args.workers)]
            + ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
        )
        stack.start(
            "worker",
            [str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool", "prefork"]
            + ["--concurrency", "2", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        )
        stack.start(
            "beat",
            [str(BIN / "celery"), "-A", "helpdesk", "beat", "-l", "INFO"]
            + ["--schedule", str(workdir / "beat-schedule")],
        )
        wait_for(lambda: web_answers(port), timeout=60, what="gunicorn")
        stack.check_alive()
        drained = drain_outbox(300)
        print(
            f"Stack up: gunicorn {args.workers} sync workers on 127.0.0.1:{port}, Celery worker "
            f"(prefork, 2), beat; pre-run outbox drained in {drained or 0:.0f} s; "
            f"e-mails so far {sink.received}."
        )
        sent_before, received_before = outbox_counts()["sent"], sink.received

        load_start = datetime.datetime.now(datetime.UTC)
        run_seconds = args.minutes * 60
        probes = file_probes(
            people=people,
            first_due=load_start + datetime.timedelta(seconds=20),
            last_due=load_start + datetime.timedelta(seconds=run_seconds - 5),
            every=args.probe_every,
        )
        connection.close()
        people_file = workdir / "people.json"
        people_file.write_text(json.dumps({**people, "password": PASSWORD, "probes": probes}))
        print(f"{len(probes)} probe tickets fall due every {args.probe_every} s during the run.")

        watcher.start()
        prefix = workdir / "locust"
        command = [str(BIN / "locust"), "-f", str(_HERE / "load_locustfile.py"), "--headless"]
        command += ["-u", str(args.users), "-r", str(args.spawn_rate)]
        command += ["-t", f"{int(run_seconds)}s", "--host", f"http://127.0.0.1:{port}"]
        command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
        print("$ " + " ".join(command))
        with (workdir / "locust.log").open("wb") as log:
            locust = subprocess.Popen(
                command,
                env={**environment, "LOAD_USERS_FILE": str(people_file)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                while locust.poll() is None:
                    stack.check_alive()
                    time.sleep(5)
            finally:
                if locust.poll() is None:
                    locust.send_signal(signal.SIGINT)
                    locust.wait(30)
        load_stop = time.monotonic()
        at_stop = outbox_counts()
        drain = drain_outbox(args.drain_timeout)
        # One more monitor interval, so that clocks due at the very end are flagged too.
        from django.conf import settings

        flag_wait = min(settings.SLA_MONITOR_INTERVAL_SECONDS + 10, 120)
        time.sleep(max(0.0, flag_wait - (time.monotonic() - load_stop)))
        watcher.stopping.set()
        watcher.join(10)
        stack.check_alive()

        print(
            f"\n{args.users} users for {args.minutes:g} min "
            f"(locust exit {locust.returncode}; logs in {workdir})"
        )
        total, failures, rate = print_pages(read_stats(prefix))
        print(f"\nRequests: {total}, {rate:.1f}/s; failed: {failures}")
        failure_file = workdir / "locust_failures.csv"
        if failures and failure_file.exists():
            print(failure_file.read_text())
        loads = [value for _, value in watcher.load]
        print(
            f"Load average (1 min, every 10 s, {len(loads)} samples): min {min(loads):.2f}, "
            f"mean {statistics.mean(loads):.2f}, max {max(loads):.2f} on {os.cpu_count()} cores"
        )
        max_lag = lag_report(watcher.flags, load_start)
        after = outbox_counts()
        print(
            f"Outbox at the end of the load: {at_stop['pending']} pending, "
            f"{at_stop['failed']} failed; "
            + (
                f"drained in {drain:.1f} s"
                if drain is not None
                else f"NOT drained after {args.drain_timeout:.0f} s"
            )
            + f"; now {after['pending']} pending, {after['failed']} failed, "
            f"{after['sent'] - sent_before} sent since the load started."
        )
        print(
            f"E-mails received by the SMTP sink during and after the load: "
            f"{sink.received - received_before}"
        )
        problems = []
        if failures or locust.returncode not in (0, 1):
            problems.append(f"{failures} failed requests (locust exit {locust.returncode})")
        if max_lag > args.max_lag:
            problems.append(f"monitor lag {max_lag:.0f} s > {args.max_lag:.0f} s")
        if drain is None or after["failed"]:
            problems.append("the outbox did not drain (or has failed messages)")
        print("FAILED: " + "; ".join(problems) if problems else "OK")
        exit_code = 1 if problems else 0
    finally:
        watcher.stopping.set()
        stack.stop()
        sink.controller.stop()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
