"""Settings come from the environment with safe development defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "helpdesk.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


_SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "STATICFILES_STORAGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
    "INBOUND_EMAIL_ADDRESS",
}

PRINT_SETTINGS = (
    "from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE']);"
    "print(s.CELERY_BROKER_URL);"
    "print(s.EMAIL_BACKEND);"
    "print(s.CACHES['default']['BACKEND'])"
)


def test_development_defaults_need_no_service():
    result = run_python(PRINT_SETTINGS, DEBUG="1")
    assert result.returncode == 0, result.stderr
    engine, broker, email, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.console.EmailBackend"
    assert cache.endswith("LocMemCache")


def test_environment_points_at_postgres_and_redis():
    result = run_python(
        PRINT_SETTINGS,
        DEBUG="1",
        DATABASE_URL="postgres://u:p@db.example:5432/helpdesk",
        REDIS_URL="redis://cache.example:6379/0",
        EMAIL_URL="smtp://mail.example:25",
    )
    assert result.returncode == 0, result.stderr
    engine, broker, email, cache = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://cache.example:6379/0"
    assert email == "django.core.mail.backends.smtp.EmailBackend"
    assert cache.endswith("RedisCache")


def test_secret_key_is_required_when_debug_is_off():
    result = run_python("import django; django.setup()", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_python(
        "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="x" * 60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


PRODUCTION_VALUES = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "q8Zr2vX7nW4pL9mB6cT1yH5jF0sD3aG8eK2uQ7iO4wE9rY6tU1",
    "ALLOWED_HOSTS": "helpdesk.example.com",
    "DATABASE_URL": "postgres://u:p@db.example:5432/helpdesk",
    "SITE_URL": "https://helpdesk.example.com",
}


def check_deploy(**values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES},
            **values,
        },
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_quiet_with_production_values():
    result = check_deploy(**PRODUCTION_VALUES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_email_links_would_point_at_this_machine():
    values = {k: v for k, v in PRODUCTION_VALUES.items() if k != "SITE_URL"}
    result = check_deploy(**values)
    assert result.returncode != 0
    assert "helpdesk.W001" in result.stdout + result.stderr


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL"])
def test_make_run_environment_is_respected(variable):
    """`make run` uses DATABASE_URL / REDIS_URL when they are set (settings read them)."""
    value = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/other",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
    }[variable]
    result = run_python(
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL)",
        DEBUG="1",
        **{variable: value},
    )
    assert result.returncode == 0, result.stderr
    assert value.rsplit("/", 1)[-1] in result.stdout


def test_a_hanging_redis_cache_fails_fast_instead_of_holding_the_page():
    result = run_python(
        "from django.conf import settings as s; o = s.CACHES['default']['OPTIONS'];"
        "print(o['socket_connect_timeout'], o['socket_timeout'])",
        DEBUG="1",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.0", "1.0"]


def test_probes_reach_the_health_endpoints_without_the_https_redirect():
    result = run_python(
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT)",
        SECRET_KEY="x" * 60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")
    assert "healthz" in result.stdout and "readyz" in result.stdout
