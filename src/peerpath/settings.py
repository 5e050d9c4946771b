"""Peerpath settings: one module, every knob read from the environment.

The embedded default (no variables set) runs on a SQLite file under ``var/``
with a secret key generated once and kept there. ``PEERPATH_PRODUCTION=1``
switches on the production posture: a secret key and allowed hosts must be
given, cookies are secure and HTTPS headers are sent.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets generic classes such as ModelForm[Module] be subscripted at run time.
django_stubs_ext.monkeypatch()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PEERPATH_VAR_DIR", Path.cwd() / "var")).resolve()

PRODUCTION = env_bool("PEERPATH_PRODUCTION")
DEBUG = env_bool("PEERPATH_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one kept under var/ (embedded only)."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PEERPATH_PRODUCTION=1")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together cannot both write a key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Earlier secret keys, while sessions, signed links and stored signing keys move over.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

BASE_URL = os.environ.get("PEERPATH_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base_host = urlparse(BASE_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [_base_host] if PRODUCTION else [_base_host, "127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])
ORG_NAME = os.environ.get("PEERPATH_ORG_NAME", "Peerpath")

INSTALLED_APPS = [
    # First, so Peerpath's templates override those of allauth and the admin.
    "peerpath.core",
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
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "peerpath.people",
    "peerpath.skills",
    "peerpath.content",
    "peerpath.learning",
    "peerpath.curation",
    "peerpath.lrs",
    "peerpath.schedule",
    "peerpath.recognition",
    "peerpath.notifications",
    "peerpath.social",
]

MIDDLEWARE = [
    "peerpath.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "peerpath.people.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "peerpath.urls"
WSGI_APPLICATION = "peerpath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerpath.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "peerpath.sqlite3",
            "OPTIONS": {
                # WAL lets readers proceed while one writer commits; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-65536;"
                ),
            },
            "TEST": {"NAME": VAR_DIR / "test_peerpath.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "peerpath",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and sign-in ---------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("PEERPATH_EMAIL_VERIFICATION", "optional")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise ImproperlyConfigured("PEERPATH_EMAIL_VERIFICATION must be none, optional or mandatory")
ACCOUNT_ADAPTER = "peerpath.people.adapters.AccountAdapter"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else urlparse(BASE_URL).scheme or "http"
# Brute-force throttling: failed sign-ins per IP and per account, resets per email.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
}
PEERPATH_ALLOW_SIGNUP = env_bool("PEERPATH_ALLOW_SIGNUP")

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Peerpath <peerpath@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation and time --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("PEERPATH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PEERPATH_MEDIA_ROOT", VAR_DIR / "media"))


def default_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """Uploaded files live on the filesystem, or in an S3-compatible bucket when one is named.

    Bucket objects stay private: pages link to Peerpath's own /media/ URLs, which check
    the signed-in user and then redirect to a URL signed for a few minutes.
    """
    bucket = env.get("PEERPATH_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 300,
    }
    optional = {
        "endpoint_url": "PEERPATH_S3_ENDPOINT_URL",
        "region_name": "PEERPATH_S3_REGION",
        "access_key": "PEERPATH_S3_ACCESS_KEY_ID",
        "secret_key": "PEERPATH_S3_SECRET_ACCESS_KEY",
        "custom_domain": "PEERPATH_S3_CUSTOM_DOMAIN",
        "location": "PEERPATH_S3_PREFIX",
    }
    for option, name in optional.items():
        value = env.get(name, "").strip()
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": default_storage(os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Request bodies: forms stay small; uploads are capped per field by their validators.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PEERPATH_MAX_BODY_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
PEERPATH_MAX_AVATAR_BYTES = 2 * 1024 * 1024
PEERPATH_MAX_IMPORT_BYTES = env_int("PEERPATH_MAX_IMPORT_BYTES", 20 * 1024 * 1024)

# --- Curation ---------------------------------------------------------------------------
# How long an expert approval holds before the module is due for another look.
PEERPATH_CURATED_REVIEW_MONTHS = env_int("PEERPATH_CURATED_REVIEW_MONTHS", 12)

# --- Background work ----------------------------------------------------------------------
# Tasks are queued in the database and run by `peerpath worker` (which `peerpath run`
# starts too). "immediate" runs each task at once in the caller, for tests and one-offs.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("PEERPATH_TASK_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured("PEERPATH_TASK_BACKEND must be database or immediate")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}
# No request body at all may exceed this (the largest upload a page accepts, plus headroom).
PEERPATH_MAX_UPLOAD_BYTES = env_int("PEERPATH_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
# Files authors upload into modules: images, video, audio, PDFs and office documents.
PEERPATH_MAX_ASSET_BYTES = env_int("PEERPATH_MAX_ASSET_BYTES", 20 * 1024 * 1024)
PEERPATH_MAX_IMAGE_BYTES = env_int("PEERPATH_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
# Larger images are refused before they are decoded (a small file can hold a huge bitmap).
PEERPATH_MAX_IMAGE_PIXELS = env_int("PEERPATH_MAX_IMAGE_PIXELS", 40_000_000)
# The largest xAPI statements request that carries attachment bodies (multipart/mixed);
# statements sent as plain JSON stay under PEERPATH_MAX_BODY_BYTES.
PEERPATH_XAPI_MAX_REQUEST_BYTES = env_int("PEERPATH_XAPI_MAX_REQUEST_BYTES", 20 * 1024 * 1024)
if (
    max(PEERPATH_MAX_ASSET_BYTES, PEERPATH_MAX_IMAGE_BYTES, PEERPATH_XAPI_MAX_REQUEST_BYTES)
    >= PEERPATH_MAX_UPLOAD_BYTES
):
    raise ImproperlyConfigured(
        "PEERPATH_MAX_ASSET_BYTES, PEERPATH_MAX_IMAGE_BYTES and PEERPATH_XAPI_MAX_REQUEST_BYTES "
        "must stay below PEERPATH_MAX_UPLOAD_BYTES, which caps the whole request."
    )

# SCORM packages: the zip itself, what it may expand to, and how far one entry may expand
# relative to its compressed size (zip bombs). Every limit is checked before anything is stored.
PEERPATH_SCORM_MAX_UPLOAD_BYTES = env_int("PEERPATH_SCORM_MAX_UPLOAD_BYTES", 250 * 1024 * 1024)
PEERPATH_SCORM_MAX_BYTES = env_int("PEERPATH_SCORM_MAX_BYTES", 500 * 1024 * 1024)
PEERPATH_SCORM_MAX_RATIO = env_int("PEERPATH_SCORM_MAX_RATIO", 100)
PEERPATH_SCORM_MAX_FILES = env_int("PEERPATH_SCORM_MAX_FILES", 10_000)
# How long a learner's player link stays valid, and the largest run-time commit accepted.
PEERPATH_SCORM_PLAY_HOURS = env_int("PEERPATH_SCORM_PLAY_HOURS", 12)
PEERPATH_SCORM_MAX_COMMIT_BYTES = env_int("PEERPATH_SCORM_MAX_COMMIT_BYTES", 512 * 1024)
# Largest document a client may keep in the xAPI state and profile resources.
PEERPATH_LRS_MAX_DOCUMENT_BYTES = env_int("PEERPATH_LRS_MAX_DOCUMENT_BYTES", 1024 * 1024)

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PEERPATH_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("PEERPATH_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PEERPATH_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Peerpath -------------------------------------------------------------------------
# The benchmark harness compares every page with this one-query view; off unless asked.
PEERPATH_CALIBRATION_VIEW = env_bool("PEERPATH_CALIBRATION_VIEW")
