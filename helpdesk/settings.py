"""Settings for the helpdesk, all read from the environment (12-factor).

Development defaults need no service: SQLite in the project folder and kombu's
file-system transport as the Celery broker. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and the e-mail settings.
"""

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Django's generic classes subscriptable at run time (`admin.ModelAdmin[Ticket]`), as
# django-stubs types them; it only adds __class_getitem__.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "anymail",
    "axes",
    "helpdesk",
    "accounts",
    "sla",
    "tickets",
    "notifications",
    "kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads request.POST: a file with an unusable name is kept, renamed.
    "helpdesk.middleware.KeepUnnamedUploadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view: a NUL byte in a field is a 400 page, not a database error.
    "helpdesk.middleware.RejectNulBytesMiddleware",
    # Signed-in pages are private: Cache-Control: private, no-store.
    "helpdesk.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.navigation.navigation",
            ],
        },
    },
]

# Database: SQLite in the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in `make run`: wait for locks
    # instead of failing, and write-ahead logging lets readers run beside a writer.
    # Transactions take the write lock when they begin: one that read first (as the
    # services and the monitor do, to lock the ticket) could not wait for it later.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: a locked-out account or address is refused before any password hash.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in lockout (accounts/lockout.py): LOGIN_FAILURE_LIMIT failures lock the account (from
# any address) and the address (for any account) for LOGIN_COOLOFF_MINUTES; an administrator
# clears it by deleting the attempts in the admin. The client address is REMOTE_ADDR unless
# LOGIN_CLIENT_IP_HEADERS names the headers a trusted proxy sets (e.g. HTTP_X_FORWARDED_FOR).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("LOGIN_CLIENT_IP_HEADERS", default=["REMOTE_ADDR"])
AXES_VERBOSE = False
# HTTP basic auth on the API (accounts/authentication.py): off unless set.
API_BASIC_AUTH = env.bool("API_BASIC_AUTH", default=False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English and Brazilian Portuguese, chosen from the
# user's profile, else the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pt-br", _("Brazilian Portuguese"))]
# One date-and-time style on every page and e-mail (helpdesk/formats/<language>).
FORMAT_MODULE_PATH = ["helpdesk.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", default="UTC")

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Attachments: a size limit and a list of refused file types, both configurable.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_REFUSED_EXTENSIONS = frozenset(
    env.list(
        "ATTACHMENT_REFUSED_EXTENSIONS",
        default=["exe", "bat", "cmd", "com", "scr", "msi", "vbs", "js", "jar", "ps1", "dll"],
    )
)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Redis serves as Celery broker and cache when REDIS_URL is set; otherwise the
# broker is kombu's file-system transport, so worker and beat run with no server.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A message taken by a worker that dies is redelivered after the visibility timeout,
    # which must outlast any task's run (CELERY_TASK_TIME_LIMIT): tasks do not retry in
    # worker memory (the outbox keeps retries in the database).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Publishing from a web request never waits for a broker that is down (the outbox's
# beat sweep delivers what could not be published).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)

# The outbox (helpdesk/outbox.py): beat sweeps due messages every OUTBOX_SWEEP_SECONDS; a
# failed delivery retries after 10 s, 20 s, 40 s ... (at most OUTBOX_RETRY_MAX_SECONDS)
# and is marked failed after OUTBOX_MAX_ATTEMPTS; a claim holds a message for
# OUTBOX_LEASE_SECONDS (longer than EMAIL_TIMEOUT), after which a dead relay's message
# is due again.
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=5)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=10)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=600)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)
# /readyz calls the outbox backlogged when a message has waited longer than this.
OUTBOX_BACKLOG_STALE_SECONDS = env.int("OUTBOX_BACKLOG_STALE_SECONDS", default=300)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# The breach monitor (sla/monitor.py): Celery beat runs it every this many seconds; the
# health check calls it degraded when no run succeeded for SLA_MONITOR_STALE_SECONDS.
SLA_MONITOR_INTERVAL_SECONDS = env.int("SLA_MONITOR_INTERVAL_SECONDS", default=60)
SLA_MONITOR_STALE_SECONDS = env.int("SLA_MONITOR_STALE_SECONDS", default=300)
# Trial reminders: account managers hear about trials ending within this many days.
SLA_TRIAL_REMINDER_DAYS = env.int("SLA_TRIAL_REMINDER_DAYS", default=7)

# The cache holds only what can be lost (presence): a Redis that hangs must fail a cache
# call within CACHE_TIMEOUT_SECONDS, not hold the page until gunicorn kills the worker.
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: printed to the console in development; EMAIL_URL (smtp://user:pass@host:port)
# in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The address links in e-mails point at (scheme, host and port users reach the web at).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Where customers write to, and the base of every per-recipient reply address
# (support+<signed token>@domain); its domain is also our Message-IDs' domain.
INBOUND_EMAIL_ADDRESS = env("INBOUND_EMAIL_ADDRESS", default="support@helpdesk.localhost")
# The e-mail channel (tickets/inbound.py). Mail from an address no user has is refused
# politely ("refuse") or opens a Community account and organization ("signup"). A sender
# may send INBOUND_RATE_LIMIT messages per INBOUND_RATE_WINDOW_SECONDS; more are kept,
# unprocessed, for an administrator. Bodies longer than INBOUND_MAX_BODY_CHARS are cut
# (the original stays attached and kept).
INBOUND_UNKNOWN_SENDER = env("INBOUND_UNKNOWN_SENDER", default="refuse")
if INBOUND_UNKNOWN_SENDER not in ("refuse", "signup"):
    raise ImproperlyConfigured("INBOUND_UNKNOWN_SENDER must be 'refuse' or 'signup'.")
INBOUND_RATE_LIMIT = env.int("INBOUND_RATE_LIMIT", default=20)
INBOUND_RATE_WINDOW_SECONDS = env.int("INBOUND_RATE_WINDOW_SECONDS", default=3600)
INBOUND_MAX_BODY_CHARS = env.int("INBOUND_MAX_BODY_CHARS", default=50_000)
# Inbound webhooks (django-anymail, /inbound/email/<provider>/inbound/) authenticate
# with HTTP basic auth "user:password"; unset, no request is accepted.
INBOUND_WEBHOOK_SECRET = env("INBOUND_WEBHOOK_SECRET", default="")
ANYMAIL = {
    # An unguessable secret nobody knows when none is configured: anymail would
    # otherwise accept unauthenticated posts (with a warning).
    "WEBHOOK_SECRET": INBOUND_WEBHOOK_SECRET or f"unset:{os.urandom(24).hex()}",
}
# The IMAP mailbox Celery beat polls every IMAP_POLL_SECONDS (nothing when IMAP_HOST is
# empty). IMAP_SECURITY: "ssl" (993), "starttls" or "none". Processed messages move to
# IMAP_PROCESSED_FOLDER (created if missing), or, when it is empty, are flagged \Seen and
# only unseen messages are read.
IMAP_HOST = env("IMAP_HOST", default="")
IMAP_SECURITY = env("IMAP_SECURITY", default="ssl")
IMAP_PORT = env.int("IMAP_PORT", default=993 if IMAP_SECURITY == "ssl" else 143)
IMAP_USER = env("IMAP_USER", default="")
IMAP_PASSWORD = env("IMAP_PASSWORD", default="")
IMAP_FOLDER = env("IMAP_FOLDER", default="INBOX")
IMAP_PROCESSED_FOLDER = env("IMAP_PROCESSED_FOLDER", default="Processed")
IMAP_POLL_SECONDS = env.int("IMAP_POLL_SECONDS", default=60)
IMAP_BATCH = env.int("IMAP_BATCH", default=50)
IMAP_TIMEOUT = env.int("IMAP_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.LockableBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, SLA clocks and plans.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc come from the sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "sla.models.Priority",
        "LevelEnum": "sla.models.Level",
    },
}

# Security: strict when DEBUG is off (production); `check --deploy` stays quiet.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and the container's health check probe over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every log-in at INFO; lockouts are still logged as warnings.
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}
