"""Settings for De-escalation Tracker.

Every value that differs between a laptop and a deployment comes from an environment variable,
read through the small typed helpers below. Defaults are safe for local development; a bad value
stops the process with ImproperlyConfigured instead of being guessed at.
"""

import datetime
import os
import tempfile
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from measures.lib.addresses import parse_networks
from tracker.databases import database_identity

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default, minimum=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_choice(name, default, choices):
    """One of `choices` (compared without regard to case); the canonical spelling is returned."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def env_time_zone(name, default):
    """An IANA time zone name such as Europe/London."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as UTC or Asia/Karachi, not {value!r}"
        ) from None
    return value.strip()


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "simple_history",
    "django_tasks_db",
    "axes",
    "measures",
    "workspace",
    "reading",
    "reports",
    "alerts",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Published pages for anonymous visitors, from the page cache alone: before the session is read
    # (it writes the CSP middleware's headers itself, built once).
    "reading.middleware.PublishedPageCacheMiddleware",
    # A logged-in reader's page already made for their session, the same way (reading.caching.sessions).
    "reading.middleware.SignedInPageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit log names who wrote, and through which path (the admin or a reading page).
    "reading.middleware.ActingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "reading.middleware.DatabaseBusyMiddleware",
    "reading.middleware.LoginLockoutRetryAfterMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "reading.access.header_offers",
                "reading.caching.shared.rendering_context",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite (WAL, IMMEDIATE transactions so concurrent writers queue instead of failing) by default;
# PostgreSQL, the real deployment, through DATABASE_URL.
# The same for every SQLite database, however it is named (SQLITE_NAME or DATABASE_URL=sqlite:///…).
# The busy timeout is how long a writer waits for the write lock before "database is locked" (answered
# 503 "busy, nothing saved", reading.middleware). No writer holds the lock long any more (load_case is
# staged, the events import writes short batches), so what a save waits for is its colleagues' saves:
# up to every other thread of the server (workers × threads) ahead of it, each one short but longer
# on a loaded machine, and SQLite's waiters poll rather than queue, so one save can wait for several
# turns. Measured in the stress run (docs/invariants.md, "The busy timeout"): saves waited out a
# timeout of 5 s behind nothing but colleagues' saves. It stays under gunicorn's worker timeout
# (gunicorn.conf.py), so a save that does wait it out is still answered.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
SQLITE_PATH = BASE_DIR / env_str("SQLITE_NAME", "db.sqlite3")
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT off: our queries are many short ones with correlated subqueries, whose estimated cost
        # crosses jit_above_cost at 100× the data; PostgreSQL then spends more time compiling them
        # than running them (docs/performance.md, “Figures behind the code”). Nothing here runs long
        # enough to gain.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
            # Persistent connections, one per server thread, as for PostgreSQL: opening a SQLite
            # connection (Django registers its SQL functions, the init_command sets WAL) costs as much
            # as answering a page from the cache (docs/performance.md, “Figures behind the code”).
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # Tests use a file, not Django's in-memory default: the browser tests' live server answers
            # requests in several threads, and an in-memory database would make them share one
            # connection, which SQLite refuses ("bad parameter or other API misuse") when two meet.
            "TEST": {
                "NAME": env_str(
                    "SQLITE_TEST_NAME",
                    str(Path(tempfile.gettempdir()) / f"deescalation-tracker-test-{os.getpid()}.sqlite3"),
                )
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes) on every login page, the site's and the admin's: after
# LOGIN_FAILURE_LIMIT wrong passwords for one username (from any address), or from one address (for any
# usernames: spraying one password over many accounts), that username or address is locked out for
# LOGIN_LOCKOUT_MINUTES from the failure that locked it (0: until an administrator lifts it, see README
# "Login lockout"). Attempts during a lock do not restart it, so it cannot be kept up for ever.
# ModelBackend whose get_user reads the account and its permissions from the cache (measures.roles).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "measures.roles.CachedModelBackend"]
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=0)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Rendered by this, which says which lock holds (the username, the address) and offers what lifts it.
AXES_LOCKOUT_CALLABLE = "alerts.views.locked_out"
# Passwords never reach the access log.
AXES_SENSITIVE_PARAMETERS = ["password"]
# Locks are lifted by an administrator ("Lift the login lock" on the users' list, logged) or with
# manage.py axes_reset_username (README); the admin lists only our models.
AXES_ENABLE_ADMIN = False
# Or by the user: a link mailed to the account's address on request lifts the lock; it is valid this
# many minutes, once (alerts.views.unlock_request).
UNLOCK_LINK_MINUTES = env_int("UNLOCK_LINK_MINUTES", 60, minimum=5)
# The client's address: the TCP peer's, or X-Forwarded-For's only when the peer is a listed proxy
# (TRUSTED_PROXIES, addresses or networks, comma-separated; empty: the header is ignored).
try:
    TRUSTED_PROXY_NETWORKS = parse_networks(env_list("TRUSTED_PROXIES", []))
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None
AXES_CLIENT_IP_CALLABLE = "measures.lib.addresses.request_client_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# The site's locale: how dates are written on every page, in the admin and in exports ("20 Jan 2024"
# for en-gb, "Jan 20, 2024" for en-us). Date inputs take ISO dates (YYYY-MM-DD) in every locale.
# A locale needs its formats in tracker/formats/<locale>/formats.py (ISO first among its inputs).
SITE_LOCALES = ("en-gb", "en-us")
LANGUAGE_CODE = env_str("SITE_LOCALE", "en-gb").strip().lower()
if LANGUAGE_CODE not in SITE_LOCALES:
    raise ImproperlyConfigured(f"SITE_LOCALE must be one of {', '.join(SITE_LOCALES)}, not {LANGUAGE_CODE!r}")
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Background tasks (Django's tasks framework): status report PDFs are made by `manage.py report_worker`
# (django-tasks-db's db_worker after a warm-up), whose queue is a table of our database (SQLite or
# PostgreSQL), so no other service is needed. TASKS_IMMEDIATE=true runs each task inside the request instead.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if env_bool("TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
    }
}
# Fair queues: how many report PDFs one reader may have waiting or being made at once (a report already
# asked for by anyone is always served: only new ones count).
REPORT_JOBS_PER_USER = env_int("REPORT_JOBS_PER_USER", 3, minimum=1)
# …the same share per client address for readers without an account, and this many at most from them all.
REPORT_JOBS_PUBLIC = env_int("REPORT_JOBS_PUBLIC", 10, minimum=1)
# The same for costly work done inside a request (measures.services.accounts.work_slot): events file
# imports (preview or import) under way at once per user (documents are read by the worker, limited by
# SOURCE_EXTRACTIONS_PER_USER); a slot left by a killed process stops counting after WORK_SLOT_SECONDS.
# Followed cases per user.
IMPORTS_PER_USER = env_int("IMPORTS_PER_USER", 1, minimum=1)
WORK_SLOT_SECONDS = env_int("WORK_SLOT_SECONDS", 900, minimum=60)
SUBSCRIPTIONS_PER_USER = env_int("SUBSCRIPTIONS_PER_USER", 50, minimum=1)

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded originals of sources and the report PDFs made by the worker (reports.jobs). Never
# served as static files: measures:source_original and the report download view serve them to
# logged-in readers only. Keep it out of the web server's document root.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Strict CSP: everything from our own origin, no inline script or style, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Production hardening; each switch follows DEBUG unless set explicitly.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Rendered reading pages are cached (measures/caching.py) under their ETag, which derives from the
# case's data version: a file cache by default (no extra service), Redis when REDIS_URL is set
# (`pip install redis` then), e.g. redis://127.0.0.1:6379/1, shared by every server process.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            # Django's file cache, the entries it read answered from memory while their files are unchanged.
            "BACKEND": "tracker.filecache.KeptFileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / ".cache" / "pages")),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000, minimum=100)},
        }
    }
# One cache may serve several deployments (a Redis server, a CACHE_DIR given to two instances): every
# key carries the identity of the database it was read from, so that no instance ever reads a page, an
# account, a case row or a published-version pointer that another database wrote (a case private in
# one database would otherwise be served under a published case's address of the other).
CACHES["default"]["KEY_PREFIX"] = database_identity(DATABASES["default"])
# How long a rendering is kept; a write makes it unreachable at once (new data version), this only
# bounds the space old ones take.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600, minimum=0)
# Sessions read from the cache, written through to the database; accounts and case rows cached
# (measures.roles), invalidated on change; at most this long unseen by a bulk update().
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
ACCESS_CACHE_SECONDS = env_int("ACCESS_CACHE_SECONDS", 3600, minimum=0)
# Change it to drop every cached page and ETag at once (the code's own changes already do).
PAGE_CACHE_SALT = env_str("PAGE_CACHE_SALT", "")

# Domain settings.
# A measure is "stale" when its newest evidence is older than this many days before the as-of date.
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 30, minimum=1)
# The read API (api/): requests a minute allowed per token (or logged-in account, or address).
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 300, minimum=1)
# The largest file (in bytes) an analyst may upload as a source's original: 20 MB by default.
SOURCE_UPLOAD_MAX_BYTES = env_int("SOURCE_UPLOAD_MAX_BYTES", 20_000_000, minimum=1000)
# Budgets of reading an uploaded document (measures.intake.extract): what its compressed parts may unpack
# to (a Word document's XML, a PDF's streams), its pages (PDF), and the characters of its text.
SOURCE_UNPACKED_MAX_BYTES = env_int("SOURCE_UNPACKED_MAX_BYTES", 50_000_000, minimum=1000)
SOURCE_MAX_PAGES = env_int("SOURCE_MAX_PAGES", 200, minimum=1)
SOURCE_MAX_CHARACTERS = env_int("SOURCE_MAX_CHARACTERS", 5_000_000, minimum=1000)
# Extraction runs in the tasks worker, in a child process (measures.intake.sandbox) capped at this much
# address space (bytes) and stopped after this many seconds; a file over either is refused, naming it.
SOURCE_EXTRACT_MAX_MEMORY = env_int("SOURCE_EXTRACT_MAX_MEMORY", 280_000_000, minimum=100_000_000)
SOURCE_EXTRACT_SECONDS = env_int("SOURCE_EXTRACT_SECONDS", 60, minimum=1)
# How many documents one analyst may have waiting to be read or being read at once (fair queues).
SOURCE_EXTRACTIONS_PER_USER = env_int("SOURCE_EXTRACTIONS_PER_USER", 3, minimum=1)
# A source's text travels in a form field: pasted, then on the review page after extraction (both
# forms multipart, so the text is sent as it is, not percent-encoded). A request may carry as much
# text as the largest document one may upload, plus the form's other fields; Django's default
# (2.5 MB) refused the review of a 3 MB text after its extraction had been shown.
DATA_UPLOAD_MAX_MEMORY_SIZE = SOURCE_UPLOAD_MAX_BYTES + 1_000_000
# Four eyes: a reviewer may approve (or return) an assessment they recorded themselves only when this
# is on. Off by default: a judgement counts once a second person approved it.
ALLOW_SELF_APPROVAL = env_bool("ALLOW_SELF_APPROVAL", False)


# Alerts and weekly digests (alerts/): mail through Django's mail framework (its MAILERS, Django 6.1),
# configured from EMAIL_* variables. SMTP when EMAIL_HOST is set; otherwise the console backend prints
# each mail (`make run`), so nothing leaves the machine.
_EMAIL_HOST = env_str("EMAIL_HOST")
_EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(_EMAIL_HOST))
_EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if _EMAIL_USE_TLS and _EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
if _EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 465 if _EMAIL_USE_SSL else 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": _EMAIL_USE_TLS,
                "use_ssl": _EMAIL_USE_SSL,
                "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "De-escalation Tracker <tracker@localhost>")
# The address mails link to (the dashboard, the subscription page, the unsubscribe link).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A claim on a notification older than this is a worker that died while sending: it is sent again.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 600, minimum=1)
# A failed delivery is retried after this many seconds, doubling each time, up to the maximum attempts.
NOTIFICATION_RETRY_SECONDS = env_int("NOTIFICATION_RETRY_SECONDS", 60, minimum=1)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)
# Weekly digests cover the seven days up to this weekday (send_digests without --week: the last such day).
DIGEST_WEEKDAY = env_choice(
    "DIGEST_WEEKDAY", "monday", ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
# At most this many weekly digests (one per followed case) are mailed to one subscriber a week; the rest
# are left out and logged (measures.services.alerts.queue_digests).
DIGESTS_PER_USER_WEEK = env_int("DIGESTS_PER_USER_WEEK", 10, minimum=1)
# Called after each write that changes a case (measures.services.touch_cases): queue change detection.
CASE_CHANGE_HOOKS = [
    "alerts.tasks.case_changed",
    "reading.views.warming.case_changed",
    # The case's default report PDF made again by the report worker (reports/warming.py).
    "reports.warming.case_changed",
]
# After a write, the tasks worker renders the case's default pages again (reading/views/warming.py);
# off by default where tasks run inside the request (the writer would wait for it).
WARM_PAGES_AFTER_WRITES = env_bool("WARM_PAGES_AFTER_WRITES", not env_bool("TASKS_IMMEDIATE", False))
# At most one warming of a case's pages starts in this many seconds: the writes after one started wait
# for the end of the interval and share the next (0: each write while none waits queues one at once).
WARM_PAGES_INTERVAL_SECONDS = env_int("WARM_PAGES_INTERVAL_SECONDS", 5, minimum=0)
# And the report worker makes the case's default PDF again (reports/warming.py), under the same rule.
WARM_REPORT_PDFS_AFTER_WRITES = env_bool("WARM_REPORT_PDFS_AFTER_WRITES", WARM_PAGES_AFTER_WRITES)
# It waits this long after the first write (seconds), so that a burst of writes makes one PDF, not one each.
WARM_REPORT_PDFS_DELAY_SECONDS = env_int("WARM_REPORT_PDFS_DELAY_SECONDS", 60, minimum=0)
# The memory one report PDF may take in the report worker, beyond the worker's own (MiB of address space;
# 0: no budget). A report over it fails with a message saying so (reports.render.memory_budget).
REPORT_MAX_MEMORY_MIB = env_int("REPORT_MAX_MEMORY_MIB", 1024, minimum=0)


LOG_LEVEL = env_choice("LOG_LEVEL", "WARNING", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own "django" logger has a console handler of its own when DEBUG is on; with it, every line
    # would print twice (once there, once at the root). Everything goes through the root, once.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}
