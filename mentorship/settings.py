"""Settings for the mentorship platform: one module, driven by environment variables.

Every variable is read through ``env()`` below; a missing or malformed one stops
start-up with a single line naming it (see ``mentorship.config``).
"""

import logging
import os
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF

from core.logs import logging_config, structlog_configure
from mentorship.config import env, env_file_read

BASE_DIR = Path(__file__).resolve().parent.parent
# Development: `make run` writes ./.env (DEBUG=1), read here so that `python manage.py ...`
# works without exporting anything. Variables in the environment win; ENV_FILE names
# another file, or none when empty. The test suite (TESTING=1, set in pytest.ini) never
# reads it, so a developer's .env cannot change what the tests see.
if not env.bool("TESTING", default=False):
    env_file_read(os.environ.get("ENV_FILE", str(BASE_DIR / ".env")))
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# Test-friendly settings (no HTTPS redirect, fast hashing, eager tasks): set explicitly,
# by pytest.ini for the suite and by the benches that use Django's test client.
TESTING = env.bool("TESTING", default=False)
if TESTING:
    from mentorship.testing import redis_per_test_worker

    redis_per_test_worker()

if DEBUG or TESTING:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-only-for-local-use-" + "x" * 20)
else:
    SECRET_KEY = env.required_str("SECRET_KEY", min_length=50)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.url_str("SITE_URL", default="http://127.0.0.1:8000")
# The product's name in the emails of sign-up, password reset and account notices.
PRODUCT_NAME = env.str("PRODUCT_NAME", default="Mentoring") or "Mentoring"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # two-factor sign-in: TOTP, recovery codes, WebAuthn security keys and passkeys
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_structlog",
    "rules.apps.AutodiscoverRulesConfig",  # loads each app's rules.py (the permissions); {% load rules %}
    # Layers, bottom to top (docs/architecture.md); each imports only from those above it here.
    "core.apps.CoreConfig",
    "audit",  # the audit trail: who did what and when
    "people",
    "programs",
    "matching",
    "goals",
    "sessions.apps.MentoringSessionsConfig",
    "surveys",
    "evaluation",
    "datarights",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the session cookie or a form: NUL in a request is a 400.
    "core.middleware.RefuseUnstorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    # The client's address for the audit trail (audit/context.py), counted as allauth counts it.
    "audit.context.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # HR admins and staff idle past HR_IDLE_TIMEOUT_MINUTES are signed out (people/session_policy.py).
    "people.session_policy.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # HR admins and staff (and owners with MFA_REQUIRED_FOR_OWNERS) enrol a second factor first.
    "portal.mfa.RequireMFAMiddleware",
    "people.middleware.UserTimeZoneMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file by default (the embedded default), PostgreSQL by URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mentorship.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A persistent connection the database dropped (restart, failover, idle timeout) is
# noticed and replaced at the start of the next request instead of failing it with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # An unreachable server fails a request (or /healthz) in seconds, not after minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: login rate limits live here, so it must be shared by every process.
# A file cache by default (works across web processes with no server), Redis by URL.
CACHES = {
    # Tests get a private in-memory cache unless CACHE_URL points at a shared one (CI: Redis).
    "default": env.cache_url("CACHE_URL", default="locmemcache://" if TESTING else f"filecache://{VAR_DIR / 'cache'}"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis stopped must not mean sign-in stopped: this process's memory stands in, with a warning.
    CACHES["default"]["BACKEND"] = "mentorship.cache.FallbackRedisCache"

# --- Accounts
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",  # the permissions in each app's rules.py
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "people.adapters.CompanyAccountAdapter"
# Sign-up is open to directory addresses only, yet neither sign-up nor password reset
# says whether an address is in the directory: every request shows the same page and
# the email tells the mailbox's owner what happened (people/adapters.py).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
# Tell people by email when their password or addresses change (they may not have done it).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_FORMS = {
    "signup": "people.account_forms.CompanySignupForm",
    "add_email": "people.account_forms.CompanyAddEmailForm",
}
# Five failed passwords for one account (or 10 a minute from one address) lock
# further attempts for five minutes, whatever the password. Successful sign-ins are
# never counted ("login": None): a whole office behind one proxy signs in at nine.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": "10/m/ip,5/5m/key"}
# Behind a reverse proxy every request comes from the proxy's address. With N proxies
# of your own in front, the client is the N-th address from the right of
# X-Forwarded-For; 0 (the default) ignores the header, which any client can forge.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PRODUCT_NAME}] "

# --- Two-factor sign-in (allauth.mfa) and the session policy. README: Multi-factor sign-in.
# An authenticator app (TOTP), single-use recovery codes, and security keys / passkeys.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# "Sign in with a passkey" on the sign-in page: a passkey is both factors at once.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = PRODUCT_NAME
# Wrong codes count in ACCOUNT_RATE_LIMITS["login_failed"] per account (5 per 5 minutes);
# passkey sign-ins are limited per address (allauth's default, written out here).
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# WebAuthn needs https, except on http://localhost in development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
# HR admins and staff must enrol a second factor before any other page (portal/mfa.py);
# program owners too when this is on.
MFA_REQUIRED_FOR_OWNERS = env.bool("MFA_REQUIRED_FOR_OWNERS", default=False)
# HR admins and staff are signed out after this long without a request (people/session_policy.py).
HR_IDLE_TIMEOUT_MINUTES = env.int("HR_IDLE_TIMEOUT_MINUTES", default=30, minimum=1)

# --- Privacy: the smallest group any figure, breakdown or export may describe
# (people/privacy.py applies it everywhere). Below 3 it would protect nobody.
PRIVACY_MIN_GROUP = env.int("PRIVACY_MIN_GROUP", default=5, minimum=3)

# --- The audit trail (audit/): events older than this are deleted nightly. Below 30 days
# an investigation would find nothing left to read.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730, minimum=30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email: console by default, SMTP (or any backend) by URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Each SMTP step gives up after this many seconds, so a hung mail server cannot hold a
# claimed email past STALE_CLAIM (core/notifications.py) and get it sent twice.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{PRODUCT_NAME} <mentoring@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation and time: stored in UTC, shown in each viewer's zone.
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.time_zone("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: shipped in static/, served by whitenoise (no CDN).
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# CSV exports of a large HR system run to several MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# The people import refuses a file over any of these before parsing it (README: Importing).
PEOPLE_IMPORT_MAX_BYTES = env.int("PEOPLE_IMPORT_MAX_MEGABYTES", default=50, minimum=1) * 1024 * 1024
PEOPLE_IMPORT_MAX_ROWS = env.int("PEOPLE_IMPORT_MAX_ROWS", default=200_000, minimum=1)
PEOPLE_IMPORT_MAX_COLUMNS = env.int("PEOPLE_IMPORT_MAX_COLUMNS", default=100, minimum=13)
PEOPLE_IMPORT_MAX_LINE_LENGTH = env.int("PEOPLE_IMPORT_MAX_LINE_LENGTH", default=8192, minimum=1024)
# People's rights over their data (README: Your data: download and erasure): how long a
# "Download my data" link works, and after how many months leavers are erased (0: never).
DATA_EXPORT_HOURS = env.int("DATA_EXPORT_HOURS", default=24, minimum=1)
RETENTION_LEAVERS_MONTHS = env.int("RETENTION_LEAVERS_MONTHS", default=24, minimum=0)

# --- Security: production defaults; DEBUG turns the HTTPS-only ones off for local use.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
# Load balancers and monitors probe /healthz over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not (DEBUG or TESTING)
CSRF_COOKIE_SECURE = not (DEBUG or TESTING)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if (DEBUG or TESTING) else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in development and tests too: only this site's
# own files run or load. No inline script and no inline style: behaviour lives in
# static/js/, looks in static/css/app.css. data: images are Bootstrap's built-in SVG
# icons (select arrows, check marks, close buttons), which its CSS embeds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Celery: an embedded filesystem broker by default, Redis by URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A message taken by a worker that was killed goes back to the queue after this long.
    # It must exceed the longest task (CELERY_TASK_TIME_LIMIT, 10 min) and the longest retry
    # countdown (5 min, mentorship.celery.MentorshipTask), or Redis hands a running task out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # One beat, always: RedBeat keeps the schedule in Redis behind a lock, so a second
    # beat started by mistake waits instead of sending every schedule again, and takes
    # over within CELERY_REDBEAT_LOCK_TIMEOUT if the first one dies. The embedded
    # filesystem broker (one machine, `make run`) keeps Celery's file-based scheduler.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL
    CELERY_REDBEAT_REDIS_OPTIONS = {"retry_period": 60}
    CELERY_REDBEAT_LOCK_TIMEOUT = 60
    # Beat wakes at least this often and extends its lock each time: well below the timeout.
    CELERY_BEAT_MAX_INTERVAL = 15
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
# The worker logs through LOGGING above (JSON in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
# The beat schedule lives in code: one place to read what runs when.
CELERY_BEAT_SCHEDULE = {
    # Messages the broker refused while it was down (core/jobs.py), sent once it is back.
    "requeue-deferred-tasks": {
        "task": "core.tasks.deferred_tasks_requeue",
        "schedule": crontab(minute="*"),
    },
    # Audit events older than AUDIT_RETENTION_DAYS (safe to run twice).
    "audit-events-expire": {
        "task": "audit.tasks.audit_events_expire",
        "schedule": crontab(minute=30, hour=3),
    },
    # One-time form tokens (double-click protection) are kept for a day.
    "expire-form-submissions": {
        "task": "core.tasks.form_submissions_expire",
        "schedule": crontab(minute=50, hour=3),
    },
    # Proof for /healthz that beat, the broker and a worker work (stale after 3 minutes).
    "worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat",
        "schedule": crontab(minute="*"),
    },
    # Every email due: lost messages, dead workers' claims, retries after backoff (all, in batches).
    "retry-unsent-notification-emails": {
        "task": "core.tasks.notification_emails_retry",
        "schedule": crontab(minute="*/2"),
    },
    # Self-select requests a mentor left unanswered past their date; each mentee is told once.
    "expire-mentorship-requests": {
        "task": "matching.tasks.mentorship_requests_expire",
        "schedule": crontab(minute=20),
    },
    "pairings-follow-program-status": {
        "task": "matching.tasks.pairings_follow_program_status",
        "schedule": crontab(minute=25),
    },
    # Surveys: close finished rounds, open due ones, invite, remind once (safe to run twice).
    "surveys-sweep": {
        "task": "surveys.tasks.surveys_sweep",
        "schedule": crontab(minute=7),
    },
    # Survey results' running totals recomputed from the rows (what no write path told them).
    "surveys-tallies-rebuild": {
        "task": "surveys.tasks.surveys_tallies_rebuild",
        "schedule": crontab(minute=15, hour=3),
    },
    # Mentoring sessions: reminders a day before, inactivity nudges, overdue action items.
    "mentoring-session-reminders": {
        "task": "sessions.tasks.session_reminders_send",
        "schedule": crontab(minute="*/15"),
    },
    "mentoring-inactivity-nudges": {
        "task": "sessions.tasks.inactivity_nudges_send",
        "schedule": crontab(minute=5, hour="*/6"),
    },
    "mentoring-overdue-action-items": {
        "task": "sessions.tasks.action_item_overdue_reminders_send",
        "schedule": crontab(minute=35),
    },
    # Dashboards: each running program's dated snapshot (same row if run twice a day).
    "evaluate-programs-nightly": {
        "task": "evaluation.tasks.programs_evaluate_nightly",
        "schedule": crontab(minute=40, hour=2),
    },
    # Stored pair health of running programs: the pairs that time made overdue, new ones, a changed cadence.
    "pair-health-sweep": {
        "task": "evaluation.tasks.pair_health_sweep",
        "schedule": crontab(minute="*/15"),
    },
    # Data downloads past DATA_EXPORT_HOURS: the file is deleted (the row says when it was made).
    "data-exports-expire": {
        "task": "datarights.tasks.data_exports_expire",
        "schedule": crontab(minute=10),
    },
    # Leavers gone for more than RETENTION_LEAVERS_MONTHS are erased (a report for HR; ids only).
    "retention-erase-leavers": {
        "task": "datarights.tasks.retention_erase_leavers",
        "schedule": crontab(minute=30, hour=1),
    },
}

# Argon2id first (cost chosen in people/hashers.py); the others stay so that existing
# PBKDF2 and bcrypt hashes still verify and are upgraded to argon2 on the next sign-in.
PASSWORD_HASHERS = [
    "people.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Logs: JSON lines with request_id, user_id (never a name or email) and task_id in
# production; readable lines with DEBUG. See core/logs.py.
LOG_JSON = env.bool("LOG_JSON", default=not (DEBUG or TESTING))
LOGGING = logging_config(json_lines=LOG_JSON, level=env.str("LOG_LEVEL", default="INFO"))
structlog_configure()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# nginx sets X-Request-ID (deploy/nginx.conf): the proxy's access log and ours share the id.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# One line per request (request_finished); the request_started line only at DEBUG level.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG

# The folders under VAR_DIR are created when Django starts (core.apps), not here.
