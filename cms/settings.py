"""Settings for the CMS, all driven by environment variables.

Every variable read here is documented in the README's configuration table. Local
development (`make run`) sets DJANGO_DEBUG=1; anything else is treated as production,
where a missing secret key is an error rather than a silent insecure default.
"""

import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_number(name: str, default, kind, what: str):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}, got {value!r}") from exc


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "an integer")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local development, set DJANGO_DEBUG=1 or use `make run`)."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so that runserver serves static files through whitenoise too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    # Versions of every post saved in the admin (history, diff comments, restore).
    "reversion",
    "posts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Outside the session middleware: it sees the cookies that one sets.
    "posts.api.middleware.NoCookiesOnSharedResponsesMiddleware",
    # Outside CommonMiddleware, which gives 304s a Content-Length of 0.
    "posts.api.middleware.NotModifiedWithoutLengthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The API's cache: it needs to know the user, and a cached response skips what follows.
    "posts.api.middleware.ResponseCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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

# Database: DATABASE_URL (postgres://user:pass@host:5432/name), else a SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked before each request reuses it, so a database
        # restart costs no failed request. API reads check with their first query (no
        # extra round trip, posts/api/compiled.py); other views pay one `SELECT 1`.
        conn_health_checks=env_bool("DATABASE_HEALTH_CHECKS", True),
    )
}
# The API's hot queries run as prepared statements on PostgreSQL (posts/api/compiled.py);
# 0 for a transaction-pooling PgBouncer older than 1.21, which cannot keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server), else per-process memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cms",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # A cache outage degrades to uncached responses instead of 500s...
                "IGNORE_EXCEPTIONS": True,
                # ...quickly: a Redis that accepts connections and never answers held each
                # request for redis-py's default 5 s per call (10-20 s a request).
                "SOCKET_CONNECT_TIMEOUT": env_float("REDIS_CONNECT_TIMEOUT", 0.5),
                "SOCKET_TIMEOUT": env_float("REDIS_TIMEOUT", 0.5),
            },
        }
    }
    # ...and says so in the log, or an operator has no sign that Redis is down.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cms",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS: for deployments behind TLS (usually a proxy that sets X-Forwarded-Proto).
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# CORS for front ends on other origins: exactly the listed origins, read methods only.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/(api|feeds)/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
# ...and a front end may send them back itself to revalidate (not safelisted by CORS).
CORS_ALLOW_HEADERS = [*default_headers, "if-none-match", "if-modified-since"]

# Tags: `Rails` and `rails` are one tag; slugs keep Unicode (`日本語` stays `日本語`).
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = False
# One tag per comma-separated entry, and any name round-trips (posts/tag_input.py).
TAGGIT_TAGS_FROM_STRING = "posts.tag_input.parse_tags"
TAGGIT_STRING_FROM_TAGS = "posts.tag_input.tags_to_string"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["posts.api.renderers.FastJSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: its WWW-Authenticate header turns "credentials needed" into a proper 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Proxies in front of the app that append the client's address to X-Forwarded-For:
    # the anonymous throttle counts per address, taken that many entries from the end.
    # 0 (the default) uses the connection's address: DRF's own default (None) trusts the
    # whole header, which any client can write to escape the throttle.
    "NUM_PROXIES": env_int("CMS_API_NUM_PROXIES", 0),
}
if REST_FRAMEWORK["NUM_PROXIES"] < 0:
    raise ImproperlyConfigured("CMS_API_NUM_PROXIES must be 0 or more")
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Headless CMS read API",
    "DESCRIPTION": "Read-only API over published posts, authors, categories and tags.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # `?fields=` may leave any key out, so no response key is promised as required.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    # Swagger UI served from our own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Read API caching (posts/api/caching.py): browsers and CDNs may keep an anonymous response
# CMS_API_MAX_AGE seconds; the server keeps it up to CMS_API_CACHE_SECONDS (0 turns the
# server-side cache off), but never past a change or the next scheduled publication.
CMS_API_MAX_AGE = env_int("CMS_API_MAX_AGE", 60)
CMS_API_CACHE_SECONDS = env_int("CMS_API_CACHE_SECONDS", 600)
CMS_API_CACHE_MAX_BYTES = env_int("CMS_API_CACHE_MAX_BYTES", 2 * 1024 * 1024)
# Each process keeps the content state (the change counter and publication times every
# cached response depends on) while the database reports no change: PostgreSQL by
# LISTEN/NOTIFY, SQLite by PRAGMA data_version (posts/api/content_state.py). Off: one
# query per request reads it.
CMS_CONTENT_STATE_WATCH = env_bool("CMS_CONTENT_STATE_WATCH", True)
# Per-IP rate for anonymous API clients, e.g. "120/minute"; empty turns throttling off.
CMS_API_ANON_THROTTLE = os.environ.get("CMS_API_ANON_THROTTLE", "")
# The front end's page for previewing an unpublished post, with {slug}, {id} and {token}
# (e.g. "https://www.example.com/preview/{slug}?token={token}"); empty: API preview only.
CMS_PREVIEW_URL = os.environ.get("CMS_PREVIEW_URL", "")
# Seconds a preview link made in the admin stays valid.
CMS_PREVIEW_MAX_AGE = env_int("CMS_PREVIEW_MAX_AGE", 3 * 24 * 3600)

# The largest form the admin accepts (Django's default is 2.5 MB). The importer reads
# files up to 10 MB, and the post form (or the live preview) sends a body back with
# CRLF line endings: a post imported at 3 MB could not be saved or previewed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 32 * 1024 * 1024)

# Where the public site (a separate front end) shows a post; used by feeds and the sitemap.
CMS_POST_URL = os.environ.get("CMS_POST_URL", "http://127.0.0.1:8000/posts/{slug}/")
CMS_SITE_TITLE = os.environ.get("CMS_SITE_TITLE", "Headless CMS")

# One level for every logger, Django's own too (its `django` logger keeps INFO otherwise,
# so DJANGO_LOG_LEVEL=ERROR still printed a line for every 404), any case accepted
# (`info` stopped start-up). Lines say when and what, to match gunicorn's own.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").strip().upper() or "INFO"
if LOG_LEVEL == "WARN":
    LOG_LEVEL = "WARNING"
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL={os.environ['DJANGO_LOG_LEVEL']!r}: use DEBUG, INFO, WARNING, "
        "ERROR or CRITICAL."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"level": LOG_LEVEL, "propagate": True}},
}
