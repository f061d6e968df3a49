"""Settings for the Policy Tracker, read from the environment (see README and .env.example)."""

import datetime
import importlib.util
import os
import re
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise ImproperlyConfigured(f"{name} must be a whole number (0 or more); got {value!r}")
    return int(value)


def env_rate(name, default):
    """A throttle rate such as "1000/hour" (also second, minute, day, or s, m, h, d)."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"[1-9][0-9]{0,8}/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day, "
            f"e.g. 1000/hour; got {value!r}"
        )
    return value


DEBUG = env_bool("DEBUG")

# Only ever used with DEBUG on, on a developer's own machine.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
SECRET_KEY_ADVICE = (
    "Set DEBUG=1 for local development, or give SECRET_KEY a long random value: "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(f"SECRET_KEY must be set when DEBUG is off. {SECRET_KEY_ADVICE}")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (
    # Django's own rule for a key strong enough (`check --deploy`), and the placeholders a
    # copied example or this file hold.
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
    or SECRET_KEY == DEVELOPMENT_SECRET_KEY
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or too weak to sign sessions and tokens with (it needs "
        f"50 or more characters, 5 or more of them different). {SECRET_KEY_ADVICE}"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # `intcomma`: counts in the filter panels with thousands separators, as the lists say them.
    "django.contrib.humanize",
    "simple_history",
    "rest_framework",
    # Editors' API tokens (`manage.py create_editor_token`).
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and Redoc as static files of our own: the API docs load nothing from a CDN.
    "drf_spectacular_sidecar",
    "corsheaders",
    # The `csp_nonce` of a response, for the API docs' inline blocks.
    "csp",
    # Wrong passwords at the admin's sign-in, counted per account and per address, with a
    # lockout an admin can lift (`manage.py axes_reset_username NAME`, or the admin's "Access
    # attempts").
    "axes",
    "jurisdictions",
    "instruments",
    # The pages and the API: installed apps so that the pages' template tags and the API's
    # management commands are found. Neither has models.
    "policytracker.web",
    "policytracker.api",
    # `manage.py benchmark` (README, "Performance"): no models.
    "policytracker.benchmarks",
    # Data releases: `manage.py release` and the pages under /data/ (no models).
    "policytracker.releases",
    # Webhooks: editors' HTTPS endpoints told of every change their filter selects, signed, by
    # the task queue's worker (`manage.py run_huey`).
    "policytracker.webhooks",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First, so that answers made by the middleware below (an HTTPS or trailing-slash
    # redirect) carry the CORS headers too, and preflight requests are answered before them.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An address holding a NUL or another control character answers 400 here, before any view
    # or database reads it (JSON under the API, the 400 page elsewhere).
    "policytracker.core.client_faults.ClientFaultMiddleware",
    # The pages at PAGE_RATE per client address (the API counts its own requests).
    "policytracker.core.page_rate.PageRateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A page's query parameter it cannot use answers the 400 page naming it.
    "policytracker.web.middleware.BadParametersMiddleware",
    # Last, as django-axes requires: answers a locked-out sign-in with its page.
    "axes.middleware.AxesMiddleware",
]

# The only sign-in is the admin's: it leads there when the address named no page to go back to.
LOGIN_REDIRECT_URL = "/admin/"

# The sign-in limits (django-axes) first: a locked-out account or address is refused before its
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After SIGN_IN_FAILURE_LIMIT wrong passwords for one account, or from one address, sign-in is
# refused to it for SIGN_IN_LOCKOUT_MINUTES (429 with a page saying so); a right password before
# that clears the count. Failures are counted in the database every app server shares, at the
# address throttling counts (NUM_PROXIES).
AXES_FAILURE_LIMIT = max(env_int("SIGN_IN_FAILURE_LIMIT", 5), 1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=max(env_int("SIGN_IN_LOCKOUT_MINUTES", 15), 1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "policytracker.core.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Failures only: successful sign-ins of editors are not kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

ROOT_URLCONF = "policytracker.urls"

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
                "csp.context_processors.nonce",
                "policytracker.web.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "policytracker.wsgi.application"

# SQLite file in the project unless DATABASE_URL names another database.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=True,
    )
}


def replica_database(url):
    """A streaming replica of the primary (`default`), from one of DATABASE_REPLICA_URLS."""
    try:
        database = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {exc}") from None
    if database.get("ENGINE") != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS must name replicas of the DATABASE_URL database, on the same "
            f"engine ({DATABASES['default']['ENGINE']}); got {database.get('ENGINE')}"
        )
    # The test database has no replica: tests read it under the replica's alias as well.
    database["TEST"] = {"MIRROR": "default"}
    return database


# Read replicas (`replica1`, `replica2`…): safe requests read one of them, writes and whatever
# follows a write go to the primary (policytracker/core/db_router.py).
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{number}"] = replica_database(url)
    DATABASE_REPLICAS.append(f"replica{number}")
# How long a client that wrote keeps reading the primary (the cookie's life): longer than the
# replicas ever lag behind. 0 turns the cookie off (a request that writes still reads the primary).
DATABASE_PRIMARY_PIN_SECONDS = env_int("DATABASE_PRIMARY_PIN_SECONDS", 15)
# Addresses that always read the primary: the admin (the editors' tool, whose forms must show
# the record as it is now) and the API's change feed (its hold-back is shorter than a replica's
# lag can be).
DATABASE_PRIMARY_PATHS = ["/admin/", "/api/v1/changes/"]
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["policytracker.core.db_router.PrimaryReplicaRouter"]
    # Before SessionMiddleware and AuthenticationMiddleware, whose reads it routes.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "policytracker.core.db_router.PrimaryPinMiddleware",
    )
# PostgreSQL's JIT compiler is for long analytical queries: on a list's correlated subqueries
# its estimate of their cost sets it compiling for seconds what runs in milliseconds (12 s to
# answer a 0.9 s query at 100,000 instruments). Every query here is short, so it is off.
for _database in DATABASES.values():
    if _database.get("ENGINE") == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the files WhiteNoise serves in production.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files: sources' archived copies (`Source.archived_file`), under sources/. Nothing
# serves this folder: a source's text may be copyrighted, so editors download a copy through
# the admin, and the web server must not publish MEDIA_ROOT at MEDIA_URL either. Back it up
# with the database.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")
MEDIA_URL = "media/"
# Data releases (`manage.py release`), one folder each, served under /data/. Back it up: a
# release is a published snapshot, and cannot be built again as it was.
RELEASES_DIR = Path(os.environ.get("RELEASES_DIR", "").strip() or BASE_DIR / "releases")
# The site's public address (scheme and host, e.g. https://tracker.example.org): a release's
# citation gives its stable address there. Without DEBUG it must be set to make a release.
SITE_URL = os.environ.get("SITE_URL", "").strip() or ("http://127.0.0.1:8000" if DEBUG else "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Behind a TLS-terminating load balancer in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# A year, which browsers' preload lists require; 0 turns HSTS off (development).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if (
    SECURE_HSTS_SECONDS  # 0: no HSTS header at all, nothing to preload
    and SECURE_HSTS_PRELOAD
    and (SECURE_HSTS_SECONDS < 31_536_000 or not SECURE_HSTS_INCLUDE_SUBDOMAINS)
):
    raise ImproperlyConfigured(
        "SECURE_HSTS_PRELOAD asks browsers' preload lists to take the site, which they do only "
        "with SECURE_HSTS_SECONDS of a year (31536000) or more and "
        "SECURE_HSTS_INCLUDE_SUBDOMAINS on; set those, or SECURE_HSTS_PRELOAD=0."
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page uses any of these browser features: each is turned off for the site and anything it
# frames (`Permissions-Policy`).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# What a page may load and run: its own files only. No inline script or style runs, and no
# attribute handler: a payload that got past escaping would still do nothing. The API docs'
# Redoc writes its styles at run time, with the nonce its page gives it (templates/api/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        # Redoc searches in a worker it makes from a blob.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Throttling counts requests in this cache. Each process has its own unless REDIS_URL names a
# Redis server that all app servers share: behind a load balancer, without it, every server
# grants a client the whole rate again.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured(
            "REDIS_URL is set, but the redis package is not installed: pip install redis"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # The server may hold other programs' keys too, or another copy of the site's
            # (REDIS_KEY_PREFIX tells them apart).
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "").strip() or "policytracker",
            # A Redis that stops answering fails a request in seconds, rather than holding a
            # worker until the app server kills it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anyone may read the API from a page on any site (`Access-Control-Allow-Origin: *`), and only
# the API: the HTML pages and the admin send no CORS headers.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
# Never with the visitor's cookies: a page on another site must not act with an editor's
# session. A write from another origin needs a token in `Authorization`, which that page has
# to hold itself; same-origin writes with a session are guarded by CSRF as usual.
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*default_headers, "if-match", "if-none-match")
# What a script needs to read: validators for conditional requests, and how long to wait
# after a 429.
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Changes younger than this are held back from the API's change feed, until writes still in
# progress when they were stamped have committed: otherwise a client could move its cursor past
# a change that becomes visible only later, and never see it.
CHANGES_SETTLE_SECONDS = env_int("CHANGES_SETTLE_SECONDS", 5)

# Lists count their rows exactly up to this many; past it, on PostgreSQL, they show the planner's
# estimate ("about 120,000"; policytracker.core.counting). 0 counts every list exactly.
LIST_EXACT_COUNT_LIMIT = env_int("LIST_EXACT_COUNT_LIMIT", 10_000)
# Seconds a list's facet counts are kept in the cache, on PostgreSQL, while the database has not
# changed (policytracker.core.facet_cache). 0 counts them on every request.
FACET_CACHE_SECONDS = env_int("FACET_CACHE_SECONDS", 300)

# Where the API's addresses start: its errors are JSON, even those answered before its views.
API_PATH_PREFIX = "/api/"
# The longest address (path and query string) the site reads: longer is 414, in the site's own
# words. gunicorn reads request lines up to 8,190 bytes (gunicorn.conf.py), so it is the app
# that answers.
MAX_ADDRESS_LENGTH = 8000

REST_FRAMEWORK = {
    # Every list reads the FilterSet its HTML page uses, and answers a bad parameter with 400.
    "DEFAULT_FILTER_BACKENDS": ["policytracker.core.api.filtering.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "policytracker.core.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    # A query parameter a list cannot use (`BadParameters`) answers 400 naming it.
    "EXCEPTION_HANDLER": "policytracker.core.api.errors.exception_handler",
    # JSON bodies refused (400, naming where) when they hold a NUL or nest too deep.
    "DEFAULT_PARSER_CLASSES": [
        "policytracker.core.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # `?format=` naming no format answers 400 naming it, as any other bad parameter.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": (
        "policytracker.core.api.negotiation.StrictContentNegotiation"
    ),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "policytracker.core.api.browsable.StrictBrowsableAPIRenderer",
        "policytracker.core.api.renderers.CSVRenderer",
    ],
    # Scripts write with an editor's token; the browsable API with an editor's session (and
    # its CSRF token). The token comes first: an anonymous write is then told 401 with
    # `WWW-Authenticate: Token`, the way to sign in, rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are public; writes are for editors (staff or the `editors` group).
    "DEFAULT_PERMISSION_CLASSES": ["policytracker.core.api.permissions.IsEditorOrReadOnly"],
    # The OpenAPI schema at /api/schema/; this class adds what every list and record shares
    # (error answers, CSV) so that each view need not say it.
    "DEFAULT_SCHEMA_CLASS": "policytracker.core.api.schema.ApiSchema",
    # Everyone but editors shares the public rate per client address; editors (staff or the
    # `editors` group) have a rate of their own per account.
    "DEFAULT_THROTTLE_CLASSES": [
        "policytracker.core.api.throttling.PublicRateThrottle",
        "policytracker.core.api.throttling.EditorRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_RATE", "1000/hour"),
        "user": env_rate("API_USER_RATE", "10000/hour"),
        # The pages, for everyone but editors (`policytracker.core.page_rate`).
        "pages": env_rate("PAGE_RATE", "120/minute"),
    },
    # With proxies in front of the app (NUM_PROXIES of them), the client's address is the one
    # the nearest proxy appended to X-Forwarded-For; the rest of that header is whatever the
    # client sent. 0, the default, reads the connection's own address and ignores the header,
    # which a client reaching the app directly could otherwise fill with a fresh address each
    # time.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

# The OpenAPI 3 schema of the API (/api/schema/) and its docs (/api/docs/, /api/redoc/).
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy Tracker API",
    "DESCRIPTION": (
        "A structured, cited database of AI-governance policy across jurisdictions. Reads are "
        "public and throttled (429 with `Retry-After` over the rate). Every list is paged "
        "(`page`, `page_size` up to 200) and takes `format=csv` (or `Accept: text/csv`) for "
        "every matching row as CSV. A query parameter a list cannot use (a bad value, a "
        'misspelt name) answers 400 with `{"errors": {parameter: [message, ...]}}`. Writes '
        "need an editor's token (`Authorization: Token <key>`); a write to an existing record "
        "needs `If-Match` with the `ETag` of the record as last read."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema does not describe its own endpoint, nor the docs pages.
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our static files (drf_spectacular_sidecar), so the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from the online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # What a write sends (`InstrumentRequest`) apart from what a read returns (`Instrument`), so
    # read-only fields never look like inputs to a generated client.
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per vocabulary, whatever field carries it: the names stay stable as
    # fields are added, and two vocabularies on fields of the same name (`kind`) never clash.
    "ENUM_NAME_OVERRIDES": {
        "JurisdictionKindEnum": "jurisdictions.vocabulary.Kind",
        "ApproachEnum": "jurisdictions.vocabulary.Approach",
        "RegionEnum": "jurisdictions.vocabulary.Region",
        "MembershipRoleEnum": "jurisdictions.vocabulary.MembershipRole",
        "CoverageResultEnum": "jurisdictions.vocabulary.CoverageResult",
        "CoverageCategoryEnum": "jurisdictions.vocabulary.COVERAGE_CATEGORY_CHOICES",
        "DatePrecisionEnum": "policytracker.core.dates.DatePrecision",
        "InstrumentTypeEnum": "instruments.vocabulary.InstrumentType",
        "InstrumentStatusEnum": "instruments.vocabulary.InstrumentStatus",
        "ForceEnum": "instruments.vocabulary.Force",
        "RelationKindEnum": "instruments.vocabulary.RelationKind",
        "IdentifierSchemeEnum": "instruments.vocabulary.IdentifierScheme",
        "EventKindEnum": "instruments.vocabulary.EventKind",
        "ActorKindEnum": "instruments.vocabulary.ActorKind",
        "SourceKindEnum": "instruments.vocabulary.SourceKind",
        "CitedRecordKindEnum": "instruments.vocabulary.CitedRecordKind",
        "WebhookListEnum": "policytracker.webhooks.vocabulary.HookList",
        "DeliveryEventEnum": "policytracker.webhooks.vocabulary.DeliveryEvent",
        "DeliveryStateEnum": "policytracker.webhooks.vocabulary.DeliveryState",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Examples of whole answers (a page with its facets), which views cannot give.
        "policytracker.api.schema.add_examples",
        # Parameters as the API holds them: no control characters; an empty value, as if not
        # given.
        "policytracker.core.api.schema.strict_parameters",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The webhooks' worker (`manage.py run_huey`) logs through the root's handler, once: given
    # no handler of its own, it would add one, and print every line twice.
    "loggers": {"huey": {"handlers": ["console"], "propagate": False}},
}

# The source the data set was first built from (its slug): the home page and the map set the
# picture on its publication day beside today's.
FOUNDING_SOURCE = "us-asia-ai-governance-2025-08-08"

# Where readers report an error in the data: an email address or a web address, shown on the
# methodology page (/about/). Empty: the page says no address is set for this installation.
REPORT_ERRORS_TO = os.environ.get("REPORT_ERRORS_TO", "").strip()

# Webhooks (policytracker.webhooks; README, "Webhooks"). Writes never wait for them: the worker
# (`manage.py run_huey`, `make worker`) reads the change history after each hook's cursor, kept
# in the database, and posts what it finds; a write only nudges the queue after it commits, and
# goes through whether or not Redis answers.
WEBHOOKS_REDIS_URL = (
    os.environ.get("WEBHOOKS_REDIS_URL", "").strip() or REDIS_URL or "redis://127.0.0.1:6379/0"
)
# Receivers on private, loopback or link-local addresses: for a developer's machine and the
# tests only. Without it, an endpoint must resolve to public addresses alone, so that no editor
# can make the server post to the services beside it.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE")
if WEBHOOKS_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured(
        "WEBHOOKS_ALLOW_PRIVATE lets webhooks post to private and loopback addresses, the "
        "services beside the server: it is for development and tests only (DEBUG=1)."
    )
# The certificate authorities a receiver's certificate is checked against, as a PEM file (a
# private CA's, or a test's); empty: the system's. Certificates are always checked.
WEBHOOKS_CA_BUNDLE = os.environ.get("WEBHOOKS_CA_BUNDLE", "").strip()
# Seconds to connect to a receiver, and to wait for each read of its answer.
WEBHOOKS_CONNECT_TIMEOUT = max(env_int("WEBHOOKS_CONNECT_TIMEOUT", 5), 1)
WEBHOOKS_READ_TIMEOUT = max(env_int("WEBHOOKS_READ_TIMEOUT", 10), 1)
# A failed delivery is tried again after WEBHOOKS_RETRY_SECONDS, then twice that, four times…,
# never more than WEBHOOKS_RETRY_MAX_SECONDS apart.
WEBHOOKS_RETRY_SECONDS = max(env_int("WEBHOOKS_RETRY_SECONDS", 60), 1)
WEBHOOKS_RETRY_MAX_SECONDS = max(env_int("WEBHOOKS_RETRY_MAX_SECONDS", 3600), 1)
# A hook is disabled after this many failed attempts in a row; re-enabling it starts again.
WEBHOOKS_DISABLE_AFTER = max(env_int("WEBHOOKS_DISABLE_AFTER", 10), 1)
# Changes in one delivery, at most (1 to 200, as a page of the change feed).
WEBHOOKS_BATCH_SIZE = min(max(env_int("WEBHOOKS_BATCH_SIZE", 50), 1), 200)
# After a secret is rotated, deliveries are signed with the old one too for this many hours, so
# that a receiver can change over without refusing any.
WEBHOOKS_SECRET_OVERLAP_HOURS = env_int("WEBHOOKS_SECRET_OVERLAP_HOURS", 24)
# Days a delivery and its attempts stay in the log once delivered or given up.
WEBHOOKS_LOG_DAYS = max(env_int("WEBHOOKS_LOG_DAYS", 30), 1)
# The task queue (Huey) in WEBHOOKS_REDIS_URL, named after REDIS_KEY_PREFIX so that two copies
# of the site on one Redis keep apart. Never `immediate`: a delivery is never made inside a
# request, DEBUG or not.
HUEY = {
    "name": (os.environ.get("REDIS_KEY_PREFIX", "").strip() or "policytracker") + "-webhooks",
    "immediate": False,
    # The tasks' outcomes are in the database (the delivery log): nothing keeps them in Redis.
    "results": False,
    "utc": True,
    # A Redis that does not answer fails the nudge after a write within seconds; the worker's
    # blocking reads wait 1 s, well within the socket's timeout.
    "connection": {
        "url": f"{WEBHOOKS_REDIS_URL}{'&' if '?' in WEBHOOKS_REDIS_URL else '?'}"
        "socket_connect_timeout=2&socket_timeout=5",
    },
    "consumer": {"workers": 2, "worker_type": "thread"},
}
