"""Settings for riskfund, driven by the environment.

With no environment at all these are development settings (DEBUG on, a fixed development secret,
SQLite, Celery tasks run in-process), so ``make demo`` needs nothing set. Production sets
``DJANGO_DEBUG=0`` and must then provide ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``;
``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA_DIR = Path(os.environ.get("RISKFUND_DATA_DIR", BASE_DIR / "riskfund" / "policy" / "data"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DJANGO_DEBUG", True)

if DEBUG:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "development-only-secret-key-not-for-production-use")
    ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")
else:
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = [h for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h]
    except KeyError as missing:
        raise ImproperlyConfigured(f"{missing.args[0]} is required when DJANGO_DEBUG is off") from None

INSTALLED_APPS = [
    # unfold before django.contrib.admin: its templates win and its site replaces admin.site (see UNFOLD below)
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "riskfund.policy",
    "riskfund.ledger",
    "riskfund.parties",
    "riskfund.pool",
    "riskfund.lending",
    "riskfund.claims",
    "riskfund.cob",
    "riskfund.outbox",
    "riskfund.exports",
    "riskfund.imports",
    "riskfund.approvals",
    "riskfund.audit",
    "riskfund.api",
    "riskfund.outlook",
    "riskfund.dashboard",
    "riskfund.disclosure",
    "riskfund.security",
    "banks",
    "riskfund.security.apps.AxesConfig",  # django-axes, after riskfund.security whose catalogue puts it in Chinese
    "django_otp",
    "riskfund.security.apps.TOTPConfig",  # django_otp.plugins.otp_totp under a Chinese heading
]
# the development tools (tools/: the demo loader of `make demo`, the benchmarks of `make bench`): development and
# test settings only, never production
if DEBUG:
    INSTALLED_APPS += ["tools.demo", "tools.bench"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (two-factor, hardening block)
    "riskfund.security.twofactor.StaffTwoFactorMiddleware",
    "riskfund.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (hardening block)
    "axes.middleware.AxesMiddleware",  # last (django-axes): turns a locked-out login into its answer
]

ROOT_URLCONF = "riskfund.urls"
WSGI_APPLICATION = "riskfund.wsgi.application"

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
            ],
        },
    },
]

# SQLite by default. IMMEDIATE transactions take the write lock at BEGIN, so two writers queue on the
# busy timeout instead of failing with "database is locked" when one upgrades a read lock.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'riskfund.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# amounts for people: 1,234,567.89 in both languages (riskfund/formats/); templates mark ids and years unlocalized
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["riskfund.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("RISKFUND_MEDIA_ROOT", BASE_DIR / "var" / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- The admin's theme: django-unfold (issue 13) --------------------------------------------------
# Everything unfold is configured here, in one block. The sidebar is built per request from the model admins'
# own permission checks (riskfund/dashboard/navigation.py); "view site" leads back to the dashboard.
UNFOLD = {
    "SITE_TITLE": _("SME loan-guarantee pool administration"),
    "SITE_HEADER": _("SME loan-guarantee pool administration"),
    "SITE_URL": "/admin/",
    "SITE_SYMBOL": "account_balance",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_LANGUAGES": True,
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "riskfund.dashboard.navigation.sidebar",
    },
}

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Staff: knox tokens (riskfund/api/auth.py); banks: `Api-Key` (banks/auth.py, sets request.bank).
    "DEFAULT_AUTHENTICATION_CLASSES": ["knox.auth.TokenAuthentication", "banks.auth.BankApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["riskfund.api.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["riskfund.api.renderers.JSONRenderer", "riskfund.api.renderers.ProblemJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "riskfund.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "riskfund.api.problems.problem_exception_handler",
    # BankRateThrottle counts every request made with a bank key, per bank (rate "bank"); staff are not counted
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle", "banks.auth.BankRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "bank": "600/min"},
    # X-Forwarded-For only behind our own proxies (the hardening block below; 0: the connecting address)
    "NUM_PROXIES": int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0")),
    "DEFAULT_SCHEMA_CLASS": "riskfund.api.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "riskfund API",
    "DESCRIPTION": "包头市中小微企业助保金贷款资金池 — REST API for partner banks and staff (API.md, version 1).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "LedgerSideEnum": ["debit", "credit"],
        # bank endpoints (banks/api/serializers/): sets whose field names ("status", "kind") have other sets too
        "BankLoanStatusEnum": "riskfund.lending.models.LoanStatus.values",
        "BankLoanEventKindEnum": "riskfund.lending.models.LoanEventKind.values",
        "BankCounterGuaranteeKindEnum": "riskfund.lending.models.CounterGuaranteeKind.values",
        "InjectionKindEnum": "riskfund.pool.models.InjectionKind.values",  # "kind" has the bank sets too
        "OpinionEnum": "riskfund.lending.models.Opinion.values",  # opinion, bank_opinion, guarantor_opinion
    },
}

REST_KNOX = {"TOKEN_TTL": timedelta(hours=10), "AUTO_REFRESH": False}

# --- Celery ----------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The daily run's tasks (its ranges and the chord's callback) have a queue of their own, so that they are not queued
# behind the webhook deliveries the run itself queues (measured: the callback waited 103 s behind 670 deliveries at
# 50,000 loans, tools/bench/measure_cob_workers.py). A worker started without -Q consumes every queue listed here,
# taking from each in turn (the Redis transport rotates the queues it polls).
CELERY_TASK_QUEUES = {"celery": {}, "cob": {}}
CELERY_TASK_ROUTES = {"riskfund.cob.tasks.*": {"queue": "cob"}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Webhooks to banks: plain http only to loopback, only in development and test settings (API.md).
RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = DEBUG and _env_bool("RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
# the stop-line forecast of every active scenario is queued when a daily run completes (riskfund/outlook/tasks.py);
# the benchmark turns it off so that its COB timings are the COB's own
RISKFUND_FORECAST_AFTER_RUN = _env_bool("RISKFUND_FORECAST_AFTER_RUN", True)
# the daily job's per-loan steps run by loan-id range: this many ranges, each a Celery task of a chord when the
# broker is set (riskfund/cob/services.py), else one after the other in-process
RISKFUND_COB_RANGES = int(os.environ.get("RISKFUND_COB_RANGES", "4"))

# The public disclosure page /public/ and /public/summary.json (API.md "Public pages"): 404 when off.
RISKFUND_PUBLIC_PAGE = _env_bool("RISKFUND_PUBLIC_PAGE", True)

# --- Production hardening (python manage.py check --deploy is clean with DJANGO_DEBUG=0) ------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Hardening (issue 12): client address, shared cache ---------------------------------------------
# The login throttle and the admin lockout count per client address (riskfund/security/client.py): the connecting
# address, or behind DJANGO_TRUSTED_PROXIES proxies of our own the address the outermost one saw.
RISKFUND_TRUSTED_PROXIES = REST_FRAMEWORK["NUM_PROXIES"]
# Throttle counts live in a cache every process shares (per-process memory would give 4 gunicorn workers 4x the
# limit): Redis at REDIS_URL, or in production the broker's Redis; otherwise Django's database cache, whose table
# ``migrate`` creates (riskfund/security/models.py). The cache is never cleared outside the tests.
_REDIS_URL = os.environ.get("REDIS_URL", "")
if not _REDIS_URL and not DEBUG and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _REDIS_URL = CELERY_BROKER_URL
if _REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "riskfund_cache"}}

# --- Hardening (issue 12): admin and API login lockout (django-axes, riskfund/security/lockout.py) -----------
# AxesStandaloneBackend first: it refuses a locked-out user name or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # by user name (any address) and by address (any user)
AXES_FAILURE_LIMIT = "riskfund.security.lockout.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "riskfund.security.client.client_address"
AXES_LOCKOUT_CALLABLE = "riskfund.security.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # riskfund/security/admin.py registers its admins with the roles' permissions
AXES_VERBOSE = False  # no banner on every manage.py command

# --- Hardening (issue 12): two-factor admin login of the bureau and the trustee (riskfund/security/twofactor.py) --
# On by default in production (DJANGO_DEBUG=0), off in development, the demo and the tests unless set.
RISKFUND_REQUIRE_2FA = _env_bool("RISKFUND_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "包头助保金"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the bureau deletes a lost device; nobody reads its key in the admin

# --- Hardening (issue 12): Content-Security-Policy (django-csp) on every page: admin, API docs, public page ------
# Every script is a file of ours (Chart.js, Swagger UI and Redoc come from static files: drf-spectacular-sidecar),
# so no inline or remote script runs. Styles may be inline: the admin's bars, Swagger's and Redoc's own <style>
# blocks and Redoc's generated styles (a nonce cannot cover style="" attributes). Redoc runs a worker from a blob.
# django-unfold's Alpine.js evaluates its x-data expressions with Function(), so 'unsafe-eval' is added while unfold is
# installed, and only then; scripts still come only from this site.
_SCRIPT_SRC = [SELF, UNSAFE_EVAL] if "unfold" in INSTALLED_APPS else [SELF]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": _SCRIPT_SRC,
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
