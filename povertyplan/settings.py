"""Settings, all read from the environment in this one module.

Unset, everything falls back to the embedded default that `make run` uses: a SQLite file and
kombu's filesystem broker under ./var. Production and CI set DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis). With DEBUG off the process refuses to start without SECRET_KEY.
"""

import ipaddress
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("POVERTYPLAN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # index operator classes (the household list's trigram indexes)
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "django_celery_results",
    "django_htmx",
    "csp",
    "django_prometheus",
    "corsheaders",
    "households",
    "targets",
    "reports",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "povertyplan.logs.RequestLogMiddleware",  # the request id, for every record the request causes
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "povertyplan.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "povertyplan.middleware.GZipApiMiddleware",
    "povertyplan.middleware.ApiConditionalGetMiddleware",
    "povertyplan.middleware.RateLimitHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "povertyplan.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "povertyplan.middleware.RejectBlankApiParameters",
    "povertyplan.middleware.RejectUnknownApiParameters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: sees the view that answered
    # DEBUG on (make run): the site's 404 page instead of Django's list of every URL pattern.
    "povertyplan.middleware.SiteNotFoundPageWhenDebugging",
]

ROOT_URLCONF = "povertyplan.urls"
WSGI_APPLICATION = "povertyplan.wsgi.application"

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
                "povertyplan.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL in CI and production; a SQLite file when DATABASE_URL is unset.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web process and a worker of two processes write the same file: WAL lets readers go on
    # while one writes, and IMMEDIATE transactions take the write lock at BEGIN, so a writer
    # waits (up to the timeout) instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=30,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # SQLite keeps the recompute's covering index (households.Review) without its INCLUDE
    # columns: a plain index, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "households.User"
AUTHENTICATION_BACKENDS = ["households.accounts.UnitLoadingBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["povertyplan.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}

# API tokens (django-rest-knox): only a SHA-512 digest is stored, the token itself is shown once
# by create_api_token; no expiry (a system's token is revoked or rotated by an administrator).
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False, "AUTH_HEADER_PREFIX": "Token"}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "povertyplan.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "povertyplan.api_pagination.NumberedPages",
    "PAGE_SIZE": 100,
    # Errors as {"error": {"code", "message", "details"}} (povertyplan/api_errors.py).
    "EXCEPTION_HANDLER": "povertyplan.api_errors.api_exception_handler",
    # Per token (per user) and per anonymous address; rates from the environment.
    "DEFAULT_THROTTLE_CLASSES": [
        "povertyplan.throttling.UserBudgetThrottle",
        "povertyplan.throttling.AnonBudgetThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="10000/hour"),
        "anon": env("API_THROTTLE_ANON", default="300/hour"),
    },
}
# CORS (django-cors-headers) for the open-data endpoints only: indicators/ with its data package and
# catalogue, and progress/'s data package, so a notebook in a browser can read what is published.
# Any origin, never with credentials (cookies): a page elsewhere cannot ride an officer's session;
# a token sent in Authorization is the caller's own choice. The rest of the API sends no CORS header.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/api/v1/(indicators/.*|progress/datapackage\.json)$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]

# What the OpenAPI schema says of itself (info.license, info.contact, servers). The licence is the one
# the published indicators are offered under (also in the data packages); the operator states its
# own with these variables. API_PUBLIC_URL is where the API is reached from outside (no trailing
# slash); unset, the schema names its own host ("/", relative to where the schema was read).
API_LICENSE_NAME = env("API_LICENSE_NAME", default="CC-BY-4.0")
API_LICENSE_TITLE = env("API_LICENSE_TITLE", default="Creative Commons Attribution 4.0 International")
API_LICENSE_URL = env("API_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/")
API_CONTACT_NAME = env(
    "API_CONTACT_NAME",
    default="Sở Nông nghiệp và Môi trường Hà Nội, bộ phận giảm nghèo / Hanoi Department of Agriculture and "
    "Environment, poverty reduction",
)
API_CONTACT_EMAIL = env("API_CONTACT_EMAIL", default="")
API_CONTACT_URL = env("API_CONTACT_URL", default="")
API_PUBLIC_URL = env("API_PUBLIC_URL", default="").rstrip("/")

SPECTACULAR_SETTINGS = {
    "TITLE": "Hanoi Plan 51-KH/TU poverty-reduction API",
    "LICENSE": {"name": f"{API_LICENSE_TITLE} ({API_LICENSE_NAME})", "url": API_LICENSE_URL},
    "CONTACT": {
        "name": API_CONTACT_NAME,
        **({"email": API_CONTACT_EMAIL} if API_CONTACT_EMAIL else {}),
        **({"url": API_CONTACT_URL} if API_CONTACT_URL else {}),
    },
    "SERVERS": [
        {
            "url": API_PUBLIC_URL or "/",
            "description": "Cổng theo dõi Kế hoạch 51-KH/TU / the Plan 51-KH/TU portal",
        }
    ],
    "DESCRIPTION": (
        "API của cổng theo dõi Kế hoạch 51-KH/TU (giảm nghèo bền vững Hà Nội 2021–2030): chỉ tiêu, tiến độ, "
        "đơn vị hành chính, hộ gia đình và kết quả rà soát. Xác thực bằng token: `Authorization: Token <khóa>`.\n\n"
        "API of the Hanoi Plan 51-KH/TU poverty-reduction portal: indicators, progress, administrative units, "
        "households and review results. Authenticate with `Authorization: Token <key>`. Every error answers "
        '`{"error": {"code": ..., "message": ..., "details": [...]}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Docs served offline from the vendored drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set: a unit's level and structure are the same enums on units/, indicators/
    # and progress/ (unit_level, unit_structure), so a generated client has one type for each.
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "households.models.Sex",
        "ReviewStateEnum": "households.models.ReviewState",
        "LevelEnum": "households.models.UnitLevel",
        "StructureEnum": "households.models.Structure",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "povertyplan.api_schema.document_common_errors",
        "povertyplan.api_schema.document_query_parameters",
        "povertyplan.api_schema.names_not_labels",
        "povertyplan.api_schema.nullable_references_have_a_type",
    ],
}

# Celery: Redis in production and CI; kombu's filesystem transport (no server) by default.
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = "django-db"
# Each result row names its task and when it started (one more small write per task): /metrics
# reads task durations and failures from them (reports.metrics). Arguments are ids, never data.
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
# One broker may serve several deployments (or the tests): each names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
# Outages: the worker and beat keep trying to reach the broker for as long as it is down (Celery
# stops after 100 tries by default), and a publish from beat or a worker waits for it.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds: a recompute run is dead when queued or running longer than RECOMPUTE_TIMEOUT, or
# silent (no heartbeat) for RECOMPUTE_HEARTBEAT_TIMEOUT (reports.recompute.runs).
RECOMPUTE_TIMEOUT = env.int("RECOMPUTE_TIMEOUT", default=900)
RECOMPUTE_HEARTBEAT_TIMEOUT = env.int("RECOMPUTE_HEARTBEAT_TIMEOUT", default=120)
# About this many communes per shard of the Celery fan-out (whole districts taken together).
RECOMPUTE_SHARD_COMMUNES = env.int("RECOMPUTE_SHARD_COMMUNES", default=40)
# A worker process that grew past this (KiB) is replaced once its task ends; the upload limits
# (households.importing.reading.Limits) keep any one task well below it.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=768 * 1024)

# django-import-export: neutralise spreadsheet formulas in every export.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Households at risk (households.risk): income within this share above the poverty line.
RISK_INCOME_MARGIN = env("RISK_INCOME_MARGIN", default="0.20")

# Open-data mode for indicators/ (API issue): off unless asked for.
OPEN_DATA_INDICATORS = env.bool("OPEN_DATA_INDICATORS", default=False)
OPEN_DATA_SUPPRESSION_THRESHOLD = env.int("OPEN_DATA_SUPPRESSION_THRESHOLD", default=5)

# Production security (DEBUG off), each overridable from the environment; `manage.py check
# --deploy` reports no warning with these (tests/povertyplan/test_settings.py). The portal sits
# behind a reverse proxy that terminates TLS and says so in X-Forwarded-Proto (deploy/nginx).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that proxy every request comes from 127.0.0.1: the login throttle reads the address the
# proxy appended to X-Forwarded-For instead (households.accounts.client_address).
TRUSTED_PROXY_HEADER = env.bool("TRUSTED_PROXY_HEADER", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The operators' probes may call gunicorn directly on the host (http://127.0.0.1:8000), not
# through the proxy: these answer there instead of redirecting to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Officers share office computers: a session ends with the browser, and after a working day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in every mode, `make run` and the tests included, so that
# the browser tests walk the pages under it: scripts and styles from the portal's own files only
# (no inline <script>, no onclick=, no style=""; static/js/portal.js does what inline handlers
# did), nothing fetched from elsewhere, no framing, no plug-ins. Pico CSS draws its icons from
# data: URIs. The one exception is the API's Redoc page (povertyplan/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the portal never uses, refused to every origin (povertyplan.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# /metrics (reports.metrics) answers only to these networks (else 404); behind the proxy, with
# TRUSTED_PROXY_HEADER, the address the proxy saw is the one checked.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
try:
    METRICS_ALLOWED_NETWORKS = [
        str(ipaddress.ip_network(n.strip(), strict=False)) for n in METRICS_ALLOWED_NETWORKS if n.strip()
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from error

# LOG_FORMAT=json: one JSON object per line, with the request id, user and unit, or the Celery
# task (povertyplan/logs.py); plain text by default. LOG_LEVEL=INFO adds one line per request.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "povertyplan.logs.ContextFilter"}},
    "formatters": {"json": {"()": "povertyplan.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
