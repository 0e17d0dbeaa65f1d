"""Run the product as the production image does: its settings, collectstatic, gunicorn.

Helpers for tests that start the real server in a subprocess and talk HTTP to it. The
environment is the image's (Dockerfile `ENV` and the RUN line that collects static files,
then the web service's environment in docker-compose.yml), never pytest's: pyproject's
pytest-env sets plain static storage and relaxed cookies, which production does not have.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import yaml

from tests.faults.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "production-test-only-secret-key-0123456789abcdefghijklmnopqrstuvw"

# Variables of helpdesk/settings.py (and Django's) that must come from the image, not
# from the test run's environment.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "STATICFILES_STORAGE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip() and line[0] != "#"]


def image_env() -> dict[str, str]:
    """The Dockerfile's `ENV` variables."""
    env: dict[str, str] = {}
    for instruction in _dockerfile_instructions():
        if instruction.startswith("ENV "):
            for assignment in shlex.split(instruction[4:]):
                name, _, value = assignment.partition("=")
                env[name] = value
    return env


def collectstatic_command() -> str:
    """The shell command the Dockerfile runs to collect static files, exactly."""
    for instruction in _dockerfile_instructions():
        if instruction.startswith("RUN ") and "collectstatic" in instruction:
            for command in instruction[4:].split("&&"):
                if "collectstatic" in command:
                    return command.strip()
    raise AssertionError("The Dockerfile does not run collectstatic")


def compose_web_env() -> dict[str, str]:
    """The web service's environment in docker-compose.yml (before substitution)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    return {name: str(value) for name, value in environment.items()}


def base_env() -> dict[str, str]:
    """This machine's environment without any setting, plus the image's `ENV`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # `python` is the project's
    env.update(image_env())
    return env


def image_installs_brotli() -> bool:
    """Does the image (`pip install .`, from pyproject's dependencies) get brotli?"""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return any("brotli" in dependency.lower() for dependency in dependencies)


def collect_static(static_root: Path) -> subprocess.CompletedProcess[str]:
    """Run the Dockerfile's collectstatic line with the build's environment only.

    WhiteNoise compresses with brotli whenever it can import it, which takes a minute
    on two cores. The image installs only pyproject's dependencies: when those do not
    bring brotli, a stub hides a brotli this machine may have, as it is absent there.
    """
    env = {**base_env(), "STATIC_ROOT": str(static_root)}
    if not image_installs_brotli():
        stub = static_root.parent / "no-brotli"
        stub.mkdir(parents=True, exist_ok=True)
        (stub / "brotli.py").write_text('raise ImportError("not installed in the image")\n')
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(stub), env.get("PYTHONPATH")]))
    # The Dockerfile's own shell line, run by a shell as the image's RUN does.
    return subprocess.run(
        ["/bin/sh", "-c", collectstatic_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def runtime_env(*, static_root: Path, database_url: str, media_root: Path) -> dict[str, str]:
    """The web container's environment, with this test's database and folders.

    DEBUG comes from docker-compose.yml as it is; REDIS_URL is left out (the web works
    without it; the broker falls back to kombu's file-system transport).
    """
    compose = compose_web_env()
    env = base_env()
    env.update(
        {
            "DEBUG": compose["DEBUG"],
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "EMAIL_URL": "consolemail://",
            "MEDIA_ROOT": str(media_root),
            "STATIC_ROOT": str(static_root),
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Browser:
    """A minimal HTTP client: the TLS proxy's header, a cookie jar, no redirects followed.

    Production sits behind a proxy that terminates TLS and says so in X-Forwarded-Proto
    (SECURE_PROXY_SSL_HEADER): without it every page redirects to https.
    """

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    behind_proxy: bool = True
    server_log: str = ""  # gunicorn's output, once it stopped

    def request(
        self,
        method: str,
        path: str,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        all_headers = {"Host": "localhost"}
        if self.behind_proxy:
            all_headers["X-Forwarded-Proto"] = "https"
        all_headers.update(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def log_in(self, email: str, password: str) -> Response:
        form = self.get("/accounts/login/")
        assert form.status == 200, form.body[:2000]
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        assert match, "no CSRF token in the login form"
        fields = {"csrfmiddlewaretoken": match.group(1), "username": email, "password": password}
        return self.request(
            "POST",
            "/accounts/login/",
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://localhost",
                "Referer": "https://localhost/accounts/login/",
            },
        )


@contextmanager
def gunicorn(env: dict[str, str], *, startup_seconds: float = 30) -> Iterator[Browser]:
    """gunicorn serving the product with `env`, stopped (by its own pid) on exit.

    Its output goes to a file, not a pipe: a pipe nobody reads fills up with logged
    tracebacks and blocks the server.
    """
    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "helpdesk.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        browser = Browser(port)
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"gunicorn exited: {log.read()}")
                try:
                    with socket.create_connection(("127.0.0.1", port), 0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError("gunicorn did not start in time") from None
                    time.sleep(0.1)
            yield browser
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            browser.server_log = log.read()
