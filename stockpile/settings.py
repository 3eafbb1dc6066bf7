"""Stockpile settings: one file, driven by environment variables (documented in .env.example).

Safe by default: DEBUG is off unless set, there is no default secret outside debug and tests, and
every `check --deploy` item is on in production. With no DATABASE_URL / REDIS_URL a local first run
(DEBUG, tests, or STOCKPILE_EMBEDDED=1) starts real PostgreSQL and Redis servers from wheels
(core/embedded.py); production must name its services.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest (8.2+) sets PYTEST_VERSION while it runs; tests use the embedded services and plain HTTP.
TESTING = "PYTEST_VERSION" in os.environ
EMBEDDED_ALLOWED = DEBUG or TESTING or env_bool("STOCKPILE_EMBEDDED", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Generate one with: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-local-only-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Services -------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not (DATABASE_URL and REDIS_URL) and not EMBEDDED_ALLOWED:
    raise ImproperlyConfigured(
        "DATABASE_URL and REDIS_URL must be set in production "
        "(or STOCKPILE_EMBEDDED=1 for a local first run with embedded servers)."
    )
# Migrations run as the tables' owner; the app may connect as a role that owns nothing and may not
# change the ledger's rows (core/db_roles.py). With DATABASE_OWNER_URL set, `manage.py migrate`
# connects with it and then grants DATABASE_URL's role what it needs, no more.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if not DATABASE_URL or not REDIS_URL:
    from core import embedded

    if not DATABASE_URL:
        # Tests create, truncate and drop databases: they run as the owner. A first run serves as
        # the app role, as production does.
        _embedded_owner = embedded.postgres_url()  # starts (or finds) the server, once
        DATABASE_URL = _embedded_owner if TESTING else embedded.app_url(_embedded_owner)
        DATABASE_OWNER_URL = DATABASE_OWNER_URL or ("" if TESTING else _embedded_owner)
    REDIS_URL = REDIS_URL or embedded.redis_url()

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "Stockpile runs on PostgreSQL only: DATABASE_URL must be postgres://"
    )
# A socket directory given as ?host=... belongs in HOST, where Django's test runner looks too.
if "host" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DATABASE_OWNER = None
if DATABASE_OWNER_URL:
    _owner = dj_database_url.parse(DATABASE_OWNER_URL)
    DATABASE_OWNER = {
        "USER": _owner["USER"],
        "PASSWORD": _owner["PASSWORD"],
        "HOST": _owner.get("OPTIONS", {}).get("host") or _owner["HOST"],
        "PORT": _owner["PORT"],
    }

# kombu spells Redis over a Unix socket "redis+socket://"; redis-py and Django say "unix://".
CELERY_BROKER_URL = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://")
    if REDIS_URL.startswith("unix://")
    else REDIS_URL
)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "reconcile-ledger": {
        "task": "alerts.reconcile_ledger",
        "schedule": crontab(hour=2, minute=15),
    },
    "idempotency-purge": {"task": "core.idempotency_purge", "schedule": crontab(minute=40)},
    # Checkpoint the chain heads, then verify every chain against them (audit issue).
    "ledger-checkpoint": {
        "task": "audit.ledger_checkpoint",
        "schedule": crontab(hour=1, minute=30),
    },
    "verify-ledger": {"task": "audit.verify_ledger", "schedule": crontab(hour=2, minute=30)},
    # Nightly surplus snapshot for the dashboard's trends (surplus issue).
    "surplus-snapshot": {"task": "surplus.snapshot", "schedule": crontab(hour=3, minute=10)},
    # Uploads checked on the page and never confirmed lose their bytes (imports issue 19).
    "imports-clear-stale": {"task": "imports.clear_stale", "schedule": crontab(hour=3, minute=50)},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Tests get a prefix of their own, so they never read or clear anything else's keys.
        "KEY_PREFIX": f"stockpile-test-{os.getpid()}" if TESTING else "stockpile",
    }
}

# --- Applications ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "core.apps.StockpileAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "simple_history",
    "core",
    "accounts",
    "inventory",
    "surveillance",
    "audit",
    "surplus",
    "reports",
    "alerts",
    "stockchecks",
    "diversion",
    "qd",
    "imports",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "home.middleware.DepotFocusMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stockpile.urls"
WSGI_APPLICATION = "stockpile.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.stockpile",
            ],
        },
    }
]

# --- Users, login, sessions -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: its password_changed() hook revokes the user's API tokens on every change.
    {"NAME": "accounts.passwords.RevokeApiTokensOnChange"},
]
if TESTING:
    # Hashing at production strength costs ~0.3 s a user; tests create hundreds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# An idle session ends after SESSION_IDLE_MINUTES: the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The client's address (core.net.client_ip): X-Forwarded-For is read only behind this many
# reverse proxies we run, each appending the address it saw; 0 = the connection's address only,
# so a client cannot name its own address. PROXY_COUNT is the variable's former name.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("PROXY_COUNT", 0))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# Login lockout (django-axes): an account is locked after LOGIN_FAILURE_LIMIT failed sign-ins,
# whatever address they came from, for LOGIN_LOCKOUT_MINUTES; each further round of failures
# doubles the lock, up to LOGIN_LOCKOUT_MAX_MINUTES (accounts.lockout). A success resets it.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
LOGIN_LOCKOUT_MAX = timedelta(minutes=env_int("LOGIN_LOCKOUT_MAX_MINUTES", 240))
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" among the parameters, against a lock that rotating the
# User-Agent escapes; a lock on the account alone cannot be escaped that way, and locking an
# address would lock every user of a depot behind one NAT after a few typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Security (production defaults; `manage.py check --deploy` is clean) --------------------

SECURE = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp; Django has its own only from 6.0). No
# inline script or style anywhere: templates load static files only (tests/core/test_csp.py scans
# them), htmx is told not to insert its indicator <style> (base.html), and the API docs load their
# start-up script as a file (SpectacularSwaggerSplitView). data: images are the SVG icons of the
# Swagger UI stylesheet; no other origin is named because every asset is served by the app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The UN languages whose catalogues are complete (locale/; tests/core/test_catalogues.py fails on an
# empty or fuzzy entry). Each is named in its own language, so that anyone finds their own.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ru", "Русский"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_THOUSAND_SEPARATOR = True

# --- Static and media files (served by the app itself: depots are often offline) ------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Inspection attachments (photos, scanned forms) are never served from MEDIA_URL: a view that checks
# the reader's depot scope streams them. Larger uploads are refused.
STOCKPILE_ATTACHMENT_MAX_BYTES = env_int("STOCKPILE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Locally and in tests, serve straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not SECURE
WHITENOISE_AUTOREFRESH = not SECURE
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SECURE
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "stockpile@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.token_auth.TokenAuthentication",  # knox tokens, read in one query
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.drf.ReferencePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.drf.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    # The browsable API only while developing: in production the API answers JSON alone (no
    # HTML forms that echo data, no extra attack surface).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    # The API takes JSON. The few views that receive files (inspection attachments, a report's
    # PDF to verify) add MultiPartParser themselves, so the schema offers form encodings only
    # there and generated clients never send nested `lines` as form data (another body: 415).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Throttles key anonymous clients on the address core.net.client_ip gives (the same rule).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens: expire after API_TOKEN_TTL_HOURS unused, each use extends them, but never past
# API_TOKEN_MAX_HOURS after sign-in (then sign in again); at most API_TOKENS_PER_USER live at once.
# A password change or deactivation revokes them all (accounts.passwords, accounts.admin).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=env_int("API_TOKEN_MAX_HOURS", 12)),
    "TOKEN_LIMIT_PER_USER": env_int("API_TOKENS_PER_USER", 10),
}
if REST_KNOX["AUTO_REFRESH_MAX_TTL"] < REST_KNOX["TOKEN_TTL"]:
    raise ImproperlyConfigured("API_TOKEN_MAX_HOURS must be at least API_TOKEN_TTL_HOURS")
SPECTACULAR_SETTINGS = {
    "TITLE": "Stockpile API",
    "DESCRIPTION": (
        "Ammunition stockpile accounting per the UN IATG. Errors: 400 with field errors for "
        "malformed input; 409 with {code, detail} when the current state forbids the request; "
        "403/404 outside one's role or depot scope."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set: several models have a `kind` or a `status` of their own.
    "ENUM_NAME_OVERRIDES": {
        "StorehouseKindEnum": "inventory.models.reference.StorehouseKind",
        "RecipientKindEnum": "inventory.models.reference.RecipientKind",
        "DocumentKindEnum": "inventory.models.ledger.DocumentKind",
        "DocumentStatusEnum": "inventory.models.ledger.DocumentStatus",
        "TransferOutcomeEnum": "inventory.api.ledger.TRANSFER_OUTCOMES",
        "InspectionKindEnum": "surveillance.models.InspectionKind",
        "BanKindEnum": "inventory.models.bans.BanKind",
        "AlertKindEnum": "alerts.models.AlertKind",
        "StockCheckKindEnum": "stockchecks.models.StockCheckKind",
        "StockCheckStatusEnum": "stockchecks.models.StockCheckStatus",
        "IncidentKindEnum": "inventory.models.incidents.IncidentKind",
        "IncidentStatusEnum": "inventory.models.incidents.IncidentStatus",
        "ReportKindEnum": "reports.models.ReportKind",
        "StabilityMethodEnum": "surveillance.models.StabilityMethod",
        "DisposalMethodEnum": "surplus.models.DisposalMethod",
        "DisposalPlanStatusEnum": "surplus.models.PlanStatus",
        "SnapshotStatusEnum": "surplus.models.SnapshotStatus",
        "PartyKindEnum": "diversion.models.PartyKind",
        "PartyStatusEnum": "diversion.models.PartyStatus",
        "PartyDocumentKindEnum": "diversion.models.PartyDocumentKind",
        "TransferCaseStatusEnum": "diversion.models.CaseStatus",
        "AssessmentStatusEnum": "diversion.models.AssessmentStatus",
        "RiskLevelEnum": "diversion.models.RiskLevel",
        "VerificationKindEnum": "diversion.models.VerificationKind",
        "VerificationResultEnum": "diversion.models.VerificationResult",
        "ImportKindEnum": "imports.models.ImportKind",
        "ImportStatusEnum": "imports.models.ImportStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
    ],
}

# --- Product settings -----------------------------------------------------------------------

# Printed in the header and footer of every page and report, e.g. "RESTRICTED".
CLASSIFICATION_MARKING = os.environ.get("CLASSIFICATION_MARKING", "UNCLASSIFIED")

# Personnel vetting (docs/roles.md): with this on, a user whose vetting has lapsed can read but not
# post or approve (409 `vetting_expired`). On unless set to 0 (the demo users are seeded vetted);
# administrators see who lapses within VETTING_WARNING_DAYS on their home page.
VETTING_REQUIRED = env_bool("VETTING_REQUIRED", True)
VETTING_WARNING_DAYS = int(os.environ.get("VETTING_WARNING_DAYS", "60"))

# Report verification by uploaded PDF (reports/pdf_probe.py): a file the system made is found by
# its hash; any other is read for its number in a child process, only up to this size and time.
REPORT_VERIFY_PARSE_MAX_BYTES = env_int("REPORT_VERIFY_PARSE_MAX_BYTES", 20 * 1024 * 1024)
REPORT_VERIFY_PARSE_SECONDS = env_int("REPORT_VERIFY_PARSE_SECONDS", 10)

# Imports of existing records (imports/, docs/import.md): files above IMPORT_ASYNC_ROWS data
# rows are posted by Celery with progress; larger files or more rows than the limits are refused.
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 2000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
# A file checked on the page but never confirmed keeps its bytes this long; the nightly job
# (imports.clear_stale) then clears them and marks it expired, keeping its record.
IMPORT_STALE_HOURS = env_int("IMPORT_STALE_HOURS", 24)

# Per-user limits on expensive requests (core/ratelimit.py, DESIGN.md §11): "count/period" with
# the period in s, m, h or d, optionally with a number ("20/10m" = 20 in 10 minutes); empty = off.
# Counted in the Redis cache; every role is limited, administrators included.
# Ledger verification (docs/audit.md): the nightly run is incremental (each depot's lines after
# its latest verified checkpoint), except on this ISO weekday (1 Monday .. 7 Sunday; 0 never),
# when it reads every line again; depots are checked on this many database connections at once.
LEDGER_VERIFY_FULL_WEEKDAY = int(os.environ.get("LEDGER_VERIFY_FULL_WEEKDAY", "7"))
LEDGER_VERIFY_WORKERS = max(1, int(os.environ.get("LEDGER_VERIFY_WORKERS", "2")))

STOCKPILE_RATE_LIMITS = {
    "report_request": os.environ.get("RATE_LIMIT_REPORTS", "20/10m"),
    "verification": os.environ.get("RATE_LIMIT_VERIFICATIONS", "30/10m"),
    "export": os.environ.get("RATE_LIMIT_EXPORTS", "60/1h"),
    "recomputation": os.environ.get("RATE_LIMIT_RECOMPUTATIONS", "10/1h"),
    "import": os.environ.get("RATE_LIMIT_IMPORTS", "60/1h"),
}
for _scope, _rate in STOCKPILE_RATE_LIMITS.items():
    if _rate and not re.fullmatch(r"[0-9]+/[0-9]*[smhd]", _rate):
        raise ImproperlyConfigured(
            f"Rate limit {_scope} must look like 20/10m (count/period in s, m, h or d), "
            f"got {_rate!r}"
        )
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "ratelimit:"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
