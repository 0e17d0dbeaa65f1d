"""Every page over HTTP, as users meet it, beside the bare Django ceiling in the same run.

Run from the repository root (PostgreSQL on 127.0.0.1, user postgres; ``wrk`` from
Debian's packages for the throughput figures, else a Python client keeps the same
number of requests in flight)::

    .venv/bin/python benchmarks/load_million.py --database bench_1m --tickets 1000000
    .venv/bin/python benchmarks/http_pages.py --database bench_1m

1. Reads the database (``load_million.py`` fills it; the harness only adds the
   benchmark people's passwords, once) and collects the static files (production
   manifest storage) into a temporary folder.
2. Starts two gunicorns on 127.0.0.1, each with ``--workers`` sync workers (default 2),
   DEBUG off, production settings: the product (``helpdesk.wsgi``) and the ceiling
   (``benchmarks/bare_django.py``: one ``JsonResponse``, no middleware, no database).
3. Logs in over HTTP as an engineer, a customer (of the sample organization with the
   most tickets) and the manager.
4. For each page: a few warm-up requests, then ``--requests`` sequential requests (p50,
   p95 as the client sees them, every answer's status checked), then ``--seconds`` of
   ``--connections`` requests in flight (requests/s). The ceiling is measured first and
   again last; every throughput is also printed as a share of the ceiling's mean.
5. Prints the machine (cores, load average before and after each page) and a Markdown
   table ready for the README.

Deep pages follow the page's own "next" links (``rel="next"`` in HTML, ``next`` in the
API's JSON) ``--depth`` times, so they measure what a user paging that far gets.
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
import html  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode, urljoin, urlsplit  # noqa: E402

from benchmarks.common import free_port, percentile  # noqa: E402

ROOT = _HERE.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-http-password"
ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_URL": "consolemail://",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}
NEXT_HTML = re.compile(
    r"<a\b(?=[^>]*\brel=\"next\")[^>]*\bhref=\"([^\"]+)\"|"
    r"<link\b(?=[^>]*\brel=\"next\")[^>]*\bhref=\"([^\"]+)\""
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class Session:
    """One logged-in person: cookies kept by hand (gunicorn's sync workers close every
    connection, so each request is a new connection, as wrk's are)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.header()
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, data = self.request("GET", path)
        return status, data

    def csrf(self, path: str) -> str:
        status, data = self.get(path)
        match = CSRF_FIELD.search(data.decode(errors="replace"))
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def post_form(self, path: str, fields: dict[str, str], token: str) -> int:
        body = urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        status, _headers, _data = self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )
        return status

    def login(self, email: str) -> None:
        token = self.csrf("/accounts/login/")
        status = self.post_form(
            "/accounts/login/", {"username": email, "password": PASSWORD}, token
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {email} failed ({status})")


def next_link(kind: str, data: bytes, current: str) -> str | None:
    """The page's own link to the next page, as a path (relative links resolved)."""
    if kind == "json":
        link = json.loads(data).get("next")
    else:
        match = NEXT_HTML.search(data.decode(errors="replace"))
        link = html.unescape(match.group(1) or match.group(2)) if match else None
    if not link:
        return None
    parts = urlsplit(urljoin(f"http://127.0.0.1{current}", link))
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    role: str  # "bare", "engineer", "customer", "manager"
    path: str
    kind: str = "html"  # or "json"
    depth: int = 0  # follow "next" this many times from `path`
    post: Callable[[Session], int] | None = None  # a write: sequential only


@dataclass
class Figures:
    page: Page
    p50: float = 0.0
    p95: float = 0.0
    rps: float | None = None
    errors: int = 0
    load_before: str = ""
    load_after: str = ""
    size: int = 0
    note: str = ""


def sequential(session: Session, path: str, count: int) -> tuple[list[float], int, int]:
    times, errors, size = [], 0, 0
    for _ in range(count):
        start = time.perf_counter()
        status, data = session.get(path)
        times.append((time.perf_counter() - start) * 1000)
        size = len(data)
        if status != 200:
            errors += 1
    return times, errors, size


def throughput(session: Session, path: str, seconds: float, connections: int) -> tuple[float, int]:
    """Requests/s with `connections` in flight, and the answers that were not 200."""
    wrk = shutil.which("wrk")
    url = f"http://127.0.0.1:{session.port}{path}"
    if wrk:
        command = [wrk, "-t", str(min(2, connections)), "-c", str(connections)]
        command += ["-d", f"{seconds:.0f}s", "--timeout", "10s"]
        if session.cookies:
            command += ["-H", f"Cookie: {session.header()}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        errors = re.search(r"Socket errors:.*", output)
        failed = int(bad.group(1)) if bad else 0
        if errors:
            failed += sum(int(n) for n in re.findall(r"\d+", errors.group(0)))
        if failed:
            print(f"    wrk on {path}: {output.strip().splitlines()[-4:]}")
        return rate, failed
    done, failed = [0], [0]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        mine = Session(session.port, dict(session.cookies))
        while time.monotonic() < deadline:
            status, _ = mine.get(path)
            with lock:
                done[0] += 1
                failed[0] += status != 200

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - start), failed[0]


def measure(page: Page, session: Session, args: argparse.Namespace) -> Figures:
    figures = Figures(page, load_before=loadavg())
    path = page.path
    for _ in range(page.depth):
        status, data = session.get(path)
        link = next_link(page.kind, data, path) if status == 200 else None
        if link is None:
            figures.note = f"no next link after {path} ({status})"
            break
        path = link
    if page.depth:
        figures.note = figures.note or f"{page.depth} pages deep"
    if page.post is not None:
        for _ in range(5):  # warm-up, as for the GETs
            page.post(session)
        times = []
        for _ in range(args.writes):
            start = time.perf_counter()
            status = page.post(session)
            times.append((time.perf_counter() - start) * 1000)
            figures.errors += status != 302
        figures.p50, figures.p95 = statistics.median(times), percentile(times, 0.95)
        figures.load_after = loadavg()
        return figures
    sequential(session, path, 5)  # warm-up
    times, errors, size = sequential(session, path, args.requests)
    figures.p50, figures.p95 = statistics.median(times), percentile(times, 0.95)
    figures.errors, figures.size = errors, size
    if args.seconds > 0:
        figures.rps, failed = throughput(session, path, args.seconds, args.connections)
        figures.errors += failed
    figures.load_after = loadavg()
    return figures


# --- the data -----------------------------------------------------------------------------


def prepare_people(database: str) -> dict[str, Any]:
    """Passwords for the benchmark people, and the ids the pages need (Django in-process)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import Count

    from accounts.models import Organization, Role, User
    from tickets import workflow
    from tickets.models import Status, Ticket

    call_command("migrate", verbosity=0)
    if not Ticket.objects.exists():
        raise SystemExit(f"{database} holds no tickets: run benchmarks/load_million.py first.")
    engineer = User.objects.filter(email="engineer0@sample-staff.example").get()
    manager = User.objects.filter(groups__name=Role.MANAGER).order_by("pk").first()
    top = (
        Organization.objects.filter(name__startswith="Sample Org ", tier="standard")
        .annotate(count=Count("tickets"))
        .order_by("-count")
        .first()
    )
    customer = User.objects.filter(organization=top).order_by("pk").first()
    if manager is None or top is None or customer is None:
        raise SystemExit("the sample data has no manager, Standard organization or customer")
    hashed = make_password(PASSWORD)
    User.objects.filter(pk__in=[engineer.pk, manager.pk, customer.pk]).update(password=hashed)
    ticket = (
        Ticket.objects.filter(organization=top, status=Status.OPEN, comments__isnull=False)
        .order_by("-pk")
        .first()
    ) or Ticket.objects.filter(organization=top).order_by("-pk").first()
    return {
        "engineer": engineer.email,
        "manager": manager.email,
        "customer": customer.email,
        "organization": top.pk,
        "ticket": ticket.pk if ticket else None,
        "tickets": Ticket.objects.count(),
        "open": Ticket.objects.filter(status__in=sorted(workflow.ACTIVE)).count(),
    }


def new_ticket(session: Session) -> int:
    # The form's token is read once (it stays valid for the session), so the figure is
    # the POST alone, as a user's submit is.
    if not session.token:
        session.token = session.csrf("/tickets/new/")
    token = session.token
    return session.post_form(
        "/tickets/new/",
        {
            "subject": "Benchmark: backups fail",
            "description": "Filed by benchmarks/http_pages.py.",
            "impact": "medium",
            "urgency": "medium",
        },
        token,
    )


def pages(data: dict[str, Any], depth: int) -> list[Page]:
    ticket = data["ticket"]
    return [
        Page("REST ticket list, engineer", "engineer", "/api/v1/tickets/", "json"),
        Page("REST ticket list, customer", "customer", "/api/v1/tickets/", "json"),
        Page("REST ticket list, engineer, deep", "engineer", "/api/v1/tickets/", "json", depth),
        Page("queue, first page", "engineer", "/tickets/queue/"),
        Page("queue, deep", "engineer", "/tickets/queue/", depth=depth),
        Page("queue, At risk view", "engineer", "/tickets/queue/?sla=at_risk"),
        Page("ticket page, staff", "engineer", f"/tickets/{ticket}/"),
        Page("ticket page, customer", "customer", f"/tickets/{ticket}/"),
        Page("all tickets list, engineer", "engineer", "/tickets/?scope=all"),
        Page("all tickets list, engineer, deep", "engineer", "/tickets/?scope=all", depth=depth),
        Page("my tickets, customer", "customer", "/tickets/"),
        Page("organization tickets, customer", "customer", "/tickets/?scope=organization"),
        Page("notifications, engineer", "engineer", "/notifications/"),
        Page("dashboard, 90 days", "manager", "/sla/dashboard/?period=90"),
        Page("organization list", "manager", "/accounts/organizations/"),
        Page("organization page", "manager", f"/accounts/organizations/{data['organization']}/"),
        Page("new ticket (POST), customer", "customer", "/tickets/new/", post=new_ticket),
    ]


# --- processes ----------------------------------------------------------------------------


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


def start_gunicorn(app: str, port: int, workers: int, log: Path, env: dict[str, str]) -> Any:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), app, "--workers", str(workers)]
            + ["--bind", f"127.0.0.1:{port}", "--worker-class", "sync"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while not answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{app} did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.3)
    return process


def stop(process: Any) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- the report ---------------------------------------------------------------------------


def report(rows: list[Figures], ceiling: float, header: str, connections: int) -> None:
    print()
    print(header)
    print()
    print(
        f"| page | p50 | p95 | requests/s, {connections} in flight | share of the ceiling "
        "| load before → after |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        rate = f"{row.rps:,.0f}" if row.rps is not None else "—"
        share = f"{row.rps / ceiling:.0%}" if row.rps is not None and ceiling else "—"
        name = row.page.name + (f" ({row.note})" if row.note else "")
        if row.errors:
            name += f" **{row.errors} errors**"
        print(
            f"| {name} | {row.p50:.1f} ms | {row.p95:.1f} ms | {rate} | {share} "
            f"| {row.load_before} → {row.load_after} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="bench_1m")
    parser.add_argument("--requests", type=int, default=60, help="sequential requests a page")
    parser.add_argument("--seconds", type=float, default=8, help="throughput run a page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--writes", type=int, default=100, help="POSTs for the write pages")
    parser.add_argument("--depth", type=int, default=40, help="pages followed for deep pages")
    parser.add_argument(
        "--only", default="", help="comma-separated words; pages whose name has one"
    )
    args = parser.parse_args()

    url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    env = {**os.environ, **ENVIRONMENT, "DATABASE_URL": url}
    env.pop("STATICFILES_STORAGE", None)  # production: the manifest storage
    static = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env["STATIC_ROOT"] = str(static)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    data = prepare_people(args.database)
    call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    product_port, bare_port = free_port(), free_port()
    processes = []
    try:
        processes.append(
            start_gunicorn(
                "helpdesk.wsgi:application", product_port, args.workers, workdir / "web.log", env
            )
        )
        processes.append(
            start_gunicorn(
                "benchmarks.bare_django:application",
                bare_port,
                args.workers,
                workdir / "bare.log",
                env,
            )
        )
        sessions = {"bare": Session(bare_port)}
        for role in ("engineer", "customer", "manager"):
            sessions[role] = Session(product_port)
            sessions[role].login(data[role])
        cores = os.cpu_count()
        print(
            f"{data['tickets']:,} tickets in {args.database}; {cores} cores; gunicorn "
            f"{args.workers} sync workers each; {args.requests} sequential requests and "
            f"{args.seconds:.0f} s at {args.connections} in flight a page "
            f"({data['open']:,} open tickets) "
            f"({'wrk' if shutil.which('wrk') else 'Python client'}); load {loadavg()}"
        )
        ceiling_page = Page("bare Django JSON view (the ceiling)", "bare", "/", "json")
        rows = [measure(ceiling_page, sessions["bare"], args)]
        wanted = [word.strip().lower() for word in args.only.split(",") if word.strip()]
        for page in pages(data, args.depth):
            if wanted and not any(word in page.name.lower() for word in wanted):
                continue
            rows.append(measure(page, sessions[page.role], args))
            print(
                f"  {page.name}: p50 {rows[-1].p50:.1f} ms, p95 {rows[-1].p95:.1f} ms, "
                f"{rows[-1].rps or 0:.0f}/s, errors {rows[-1].errors} ({rows[-1].note})",
                flush=True,
            )
        last = Page("bare Django JSON view (the ceiling, again at the end)", "bare", "/", "json")
        rows.append(measure(last, sessions["bare"], args))
        rates = [row.rps for row in (rows[0], rows[-1]) if row.rps]
        ceiling = statistics.mean(rates) if rates else 0.0
        report(
            rows,
            ceiling,
            f"{data['tickets']:,} tickets; ceiling {ceiling:,.0f} requests/s (mean of first "
            f"and last); {os.cpu_count()} cores; load at the end {loadavg()}",
            args.connections,
        )
        return 1 if any(row.errors for row in rows) else 0
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(static, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
