"""The real parts of a fault test, each started for the test alone: a private Redis
(never the machine's own), an SMTP server on loopback, Celery worker and beat, gunicorn,
and an HTTP client that logs in through the real login form."""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll until `condition` holds; returns the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


def real_password(user, password: str) -> None:
    """Hash with PBKDF2 (few iterations): processes started by the test use the real
    hashers of the settings, not the suite's fast MD5 one."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


def database_url_of_the_tests() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class PrivateRedis:
    """A Redis server of the test's own on a free port, which the test may stop."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self.answers, timeout=10, what="the private Redis")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


class SMTPSink:
    """An SMTP server on loopback that keeps what it accepted. While `hold` is set, each
    message is held that many seconds before the server answers (a slow mail server),
    and counts only if the client is still there to hear the 250."""

    def __init__(self) -> None:
        self.accepted: list[dict[str, object]] = []
        self.receiving = threading.Event()
        self.hold = 0.0
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        self.receiving.set()
        if self.hold:
            await asyncio.sleep(self.hold)
            if session.transport is None or session.transport.is_closing():
                return "451 client gone"
        text = envelope.content.decode("utf-8", "replace")
        found = re.search(r"^Message-ID:\s*(\S+)", text, re.MULTILINE | re.IGNORECASE)
        self.accepted.append(
            {"to": list(envelope.rcpt_tos), "message_id": found.group(1) if found else ""}
        )
        return "250 OK"

    def __enter__(self) -> SMTPSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Stack:
    """Worker, beat and gunicorn against the test database, a broker and the SMTP sink."""

    def __init__(self, tmp: Path, *, broker_url: str, smtp_url: str) -> None:
        self.tmp = tmp
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_of_the_tests(),
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_URL": smtp_url,
            "OUTBOX_SWEEP_SECONDS": "1",
            "SLA_MONITOR_INTERVAL_SECONDS": "3600",
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.web_port = free_port()

    def start(self, name: str, command: list[str], *, ready: str | None = None) -> None:
        log = self.tmp / f"{name}.log"
        with log.open("ab") as output:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        if ready:
            wait_for(lambda: ready in log.read_text(errors="replace"), timeout=60, what=name)

    def worker(self, name: str = "worker") -> None:
        command = [str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool", "solo"]
        command += ["-Q", "celery", "--without-gossip", "--without-mingle", "-l", "INFO"]
        self.start(name, command, ready="ready")

    def beat(self) -> None:
        command = [str(BIN / "celery"), "-A", "helpdesk", "beat", "-l", "INFO"]
        command += ["--schedule", str(self.tmp / "beat-schedule")]
        self.start("beat", command, ready="beat: Starting")

    def web(self) -> None:
        command = [str(BIN / "gunicorn"), "helpdesk.wsgi:application", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.web_port}"]
        self.start("web", command, ready="Booting worker")
        wait_for(self._web_answers, timeout=30, what="gunicorn")

    def _web_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.web_port), 0.5):
                return True
        except OSError:
            return False

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.processes.clear()

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """HTTP as a browser does it: cookies, the CSRF token, no redirect followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> int:
        body = None
        if data is not None:
            token = next(c.value for c in self.cookies if c.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        url = self.base + path  # always http://127.0.0.1:<port>/...
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def log_in(self, email: str, password: str) -> None:
        assert self.request("GET", "/accounts/login/") == 200
        status = self.request("POST", "/accounts/login/", {"username": email, "password": password})
        assert status == 302, f"login as {email} answered {status}"


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack
    finally:
        stack.stop()
