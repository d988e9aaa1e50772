"""Settings for vetting, read from the environment.

Defaults are safe for production (DEBUG off, secure cookies, HTTPS); `make run` switches on
development mode with DJANGO_DEBUG=1. Without DATABASE_URL the app uses an embedded SQLite
database, and without REDIS_URL Celery tasks run in-process.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Site-wide templates, static files and translations: beside the apps in a checkout, in
# vetting/site/ in an installed wheel (see setup.py).
SITE_DIR = Path(__file__).resolve().parent / "site"
if not SITE_DIR.is_dir():
    SITE_DIR = BASE_DIR
VAR_DIR = Path(os.environ.get("VETTING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number ≥ {minimum}; it is {value!r}.")
    return int(value)


def _persisted_secret(file_name: str, generate=lambda: secrets.token_urlsafe(64)) -> str:
    """A random secret kept under VAR_DIR, so a self-hosted install never runs on a known key."""
    path = VAR_DIR / file_name
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = generate()
    path.write_text(value)
    path.chmod(0o600)
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)
# Embedded mode (SQLite under var/, one machine) and development generate missing secrets and keep
# them under VAR_DIR. With a shared database (DATABASE_URL) several machines may serve the same
# data and must use the same secrets: there they come from the environment or nothing starts.
EMBEDDED = not os.environ.get("DATABASE_URL")
SECRETS_MAY_BE_GENERATED = DEBUG or EMBEDDED
_missing_secrets: list[str] = []


def _secret(env_name: str, file_name: str, generate=lambda: secrets.token_urlsafe(64)) -> str:
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    if SECRETS_MAY_BE_GENERATED:
        return _persisted_secret(file_name, generate)
    _missing_secrets.append(env_name)
    return ""


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "secret_key")
# Key for the keyed hashes (blind indexes) that let cases be linked on encrypted numbers.
BLIND_INDEX_KEY = _secret("VETTING_BLIND_INDEX_KEY", "blind_index_key")
# Encryption of bank account and identity document numbers. VETTING_FIELD_KEYS is a
# comma-separated list of Fernet keys: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env_list("VETTING_FIELD_KEYS", []) or [
    _secret("VETTING_FIELD_KEYS", "field_key", generate=lambda: Fernet.generate_key().decode())
]
if _missing_secrets:
    raise ImproperlyConfigured(
        f"vetting will not start: set {', '.join(_missing_secrets)} in the environment. "
        "With DATABASE_URL (a shared database, possibly several machines) and DJANGO_DEBUG off, "
        "secrets and field keys are never generated into per-machine files under var/: every "
        "web and worker machine must use the same ones. Generate them once (README, "
        "'Install with Docker') and keep VETTING_FIELD_KEYS safe: without it the encrypted "
        "numbers cannot be read."
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_countries",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "vetting",
    "common",
    "accounts",
    "audit",
    "indicators",
    "cases",
    "signals",
    "notifications",
    "reports",
    "retention",
]

MIDDLEWARE = [
    "common.metrics.RequestMetricsMiddleware",
    "common.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.PrivacyHeadersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    # After sign-in, the second factor before any page (see accounts/otp.py).
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.middleware.ServiceErrorMiddleware",
    # Last, so it sees the sign-in views' lockout flag and answers with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vetting.urls"
WSGI_APPLICATION = "vetting.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles_context",
                "cases.context_processors.permissions_context",
            ],
        },
    },
]
# Django's widget templates, with the common widgets written without the template engine.
FORM_RENDERER = "common.forms.WidgetRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request reuses it: after a database
        # restart the request gets a fresh connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Embedded mode: request threads (and workers) share one file. An IMMEDIATE transaction
    # takes the write lock when it begins and waits up to `timeout` seconds for it, where a
    # deferred one that reads first fails at once with "database is locked" when it tries to
    # write. Write-ahead logging lets reads go on during a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords (accounts/password_validation.py): long, varied, not built from the user's names.
PASSWORD_MIN_LENGTH = env_int("VETTING_PASSWORD_MIN_LENGTH", 12, minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.PersonalNameValidator"},
    {"NAME": "accounts.password_validation.VarietyValidator"},
]

# Sign-in lockout (django-axes): after VETTING_LOCKOUT_FAILURES failed sign-ins for one username,
# or from one client address, further sign-ins from it are refused for VETTING_LOCKOUT_MINUTES
# (each new failure during the lockout starts it again), on the sign-in page, the admin and the
# API token endpoint alike. An admin unlocks a user early (Users → "Unlock sign-in").
# axes' backend comes first in AUTHENTICATION_BACKENDS (below, with single sign-on).
AXES_FAILURE_LIMIT = env_int("VETTING_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("VETTING_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log already
AXES_VERBOSE = False
# The client address (accounts.lockout.client_ip): REMOTE_ADDR; with VETTING_PROXY_COUNT
# reverse proxies in front, the address the outermost one added to X-Forwarded-For (what the
# client itself wrote there is never trusted). DRF's throttles read it the same way.
PROXY_COUNT = env_int("VETTING_PROXY_COUNT", 0)

# A comment on a case may be edited by its author for this many minutes after posting
# (cases.permissions.can_edit_comment); every earlier text stays in its history.
VETTING_COMMENT_EDIT_MINUTES = env_int("VETTING_COMMENT_EDIT_MINUTES", 15, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"

# Sessions end after VETTING_IDLE_SECONDS without a request (accounts/middleware.py), and in any
# case VETTING_SESSION_SECONDS after signing in.
SESSION_IDLE_SECONDS = env_int("VETTING_IDLE_SECONDS", 30 * 60, minimum=60)

LOGIN_URL = "login"

# Second factor (TOTP plus recovery codes; see README, Security). The roles that must use one;
# any other user may enrol from their account page. Role names as in accounts/roles.py.
VETTING_SECOND_FACTOR_ROLES = env_list(
    "VETTING_SECOND_FACTOR_ROLES", ["reviewer", "compliance", "admin"]
)
OTP_TOTP_ISSUER = os.environ.get("VETTING_OTP_ISSUER", "vetting")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Single sign-on: a session signed in through the IdP counts as second-factor verified when the
# ID token's `amr` holds one of these values or its `acr` is one of these (RFC 8176; empty: never).
VETTING_OIDC_TRUSTED_AMR = env_list("VETTING_OIDC_TRUSTED_AMR", [])
VETTING_OIDC_TRUSTED_ACR = env_list("VETTING_OIDC_TRUSTED_ACR", [])
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with OpenID Connect (accounts/sso.py): on when an issuer and a client id are
# set. Endpoints come from the issuer's discovery document unless given here.
# VETTING_OIDC_ROLE_MAP maps the IdP's groups to vetting's roles: "idp-group=role,...".
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in while the username or the address is locked out (see above).
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LocalPasswordBackend",
    "accounts.sso.VettingOIDCBackend",
]
VETTING_LOCAL_PASSWORDS = env_bool("VETTING_LOCAL_PASSWORDS", True)
VETTING_OIDC = {
    "issuer": os.environ.get("VETTING_OIDC_ISSUER", ""),
    "client_id": os.environ.get("VETTING_OIDC_CLIENT_ID", ""),
    "client_secret": os.environ.get("VETTING_OIDC_CLIENT_SECRET", ""),
    "name": os.environ.get("VETTING_OIDC_NAME", "single sign-on"),
    "sign_algo": os.environ.get("VETTING_OIDC_SIGN_ALGO", "RS256"),
    "authorization_endpoint": os.environ.get("VETTING_OIDC_AUTHORIZATION_ENDPOINT", ""),
    "token_endpoint": os.environ.get("VETTING_OIDC_TOKEN_ENDPOINT", ""),
    "userinfo_endpoint": os.environ.get("VETTING_OIDC_USERINFO_ENDPOINT", ""),
    "jwks_uri": os.environ.get("VETTING_OIDC_JWKS_URI", ""),
    "end_session_endpoint": os.environ.get("VETTING_OIDC_END_SESSION_ENDPOINT", ""),
    "roles_claim": os.environ.get("VETTING_OIDC_ROLES_CLAIM", "groups"),
    "role_map": dict(
        pair.split("=", 1)
        for pair in env_list(
            "VETTING_OIDC_ROLE_MAP",
            [
                "vetting-hr=hr",
                "vetting-reviewers=reviewer",
                "vetting-compliance=compliance",
                "vetting-admins=admin",
            ],
        )
        if "=" in pair
    ),
}
# mozilla-django-oidc's own settings (accounts.sso reads the provider from VETTING_OIDC).
OIDC_RP_SCOPES = os.environ.get("VETTING_OIDC_SCOPES", "openid email profile")
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_STORE_ID_TOKEN = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = os.environ.get("VETTING_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("VETTING_STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("VETTING_MEDIA_ROOT", VAR_DIR / "media"))
# Evidence, reports and integrity check results are private: they are stored on the local disk
# (the embedded default) or in an S3-compatible object store, and served only through views that
# check permissions, verify the SHA-256 and record each download.
STORAGE = os.environ.get("VETTING_STORAGE", "local").strip().lower() or "local"
if STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured("VETTING_STORAGE must be 'local' or 's3'.")
if STORAGE == "s3":
    from botocore.config import Config as _S3ClientConfig

    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "VETTING_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and usually AWS_S3_ENDPOINT_URL, "
            "AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)."
        )
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_LOCATION = os.environ.get("VETTING_S3_PREFIX", "").strip("/")
    # Unset or empty: boto3's own chain (the machine's role or profile).
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    _sse = os.environ.get("VETTING_S3_ENCRYPTION", "").strip()
    AWS_S3_OBJECT_PARAMETERS = {}
    if _sse:  # "AES256", or "aws:kms" with VETTING_S3_KMS_KEY_ID
        AWS_S3_OBJECT_PARAMETERS["ServerSideEncryption"] = _sse
        if os.environ.get("VETTING_S3_KMS_KEY_ID"):
            AWS_S3_OBJECT_PARAMETERS["SSEKMSKeyId"] = os.environ["VETTING_S3_KMS_KEY_ID"]
    # A storage that is down answers quickly with a clear error instead of hanging a request.
    AWS_S3_CLIENT_CONFIG = _S3ClientConfig(
        connect_timeout=float(os.environ.get("VETTING_S3_TIMEOUT", "5")),
        read_timeout=float(os.environ.get("VETTING_S3_TIMEOUT", "5")) * 6,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or "auto"},
        signature_version="s3v4",
    )
    _default_storage = {"BACKEND": "common.storage.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: production defaults; plain HTTP only in DEBUG or when turned off explicitly.
HTTPS = env_bool("VETTING_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("VETTING_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("VETTING_SESSION_SECONDS", str(8 * 3600)))
# How long a new API token is valid (see accounts.ApiToken).
VETTING_TOKEN_DAYS = int(os.environ.get("VETTING_TOKEN_DAYS", "30"))
if not 1 <= VETTING_TOKEN_DAYS <= 366:
    raise ImproperlyConfigured(
        f"VETTING_TOKEN_DAYS must be a number of days from 1 to 366; it is {VETTING_TOKEN_DAYS}."
    )
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy on every page (django-csp): scripts, styles, images and
# fonts only from this server, no inline script or style, no plugins, no framing, forms post
# only here. The API docs pages relax it for their own views (vetting/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the app never uses are off for it and anything it could embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)

# Field encryption keys and the blind index key: see _secret() near the top.

# Evidence uploads.
EVIDENCE_MAX_BYTES = int(os.environ.get("VETTING_EVIDENCE_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Catalogue version pinned by new cases; empty means the newest published one.
VETTING_DEFAULT_CATALOG_VERSION = os.environ.get("VETTING_DEFAULT_CATALOG_VERSION", "")
VETTING_ORGANISATION_NAME = os.environ.get("VETTING_ORGANISATION_NAME", "Example Employer Ltd.")

# Review deadlines (README, "Review deadlines"): working days (Monday to Friday) from submission
# to the end of the review, per risk level: "critical=2,high=3,medium=5,low=10". A level left
# out keeps its default. Beat reminds the reviewer and the case owner when
# VETTING_REVIEW_DEADLINE_WARNING_DAYS working days are left, and again once it has passed.
REVIEW_DEADLINE_DEFAULTS = {"critical": 2, "high": 3, "medium": 5, "low": 10}


def _review_deadlines(value: str) -> dict[str, int]:
    days = dict(REVIEW_DEADLINE_DEFAULTS)
    for pair in (p.strip() for p in value.split(",")):
        if not pair:
            continue
        level, _sep, number = (part.strip() for part in pair.partition("="))
        if level not in days or not number.isdigit() or int(number) < 1:
            raise ImproperlyConfigured(
                "VETTING_REVIEW_DEADLINES is a list like 'critical=2,high=3,medium=5,low=10' "
                f"(levels critical, high, medium, low; whole days ≥ 1); {pair!r} is not."
            )
        days[level] = int(number)
    return days


VETTING_REVIEW_DEADLINES = _review_deadlines(os.environ.get("VETTING_REVIEW_DEADLINES", ""))
VETTING_REVIEW_DEADLINE_WARNING_DAYS = env_int("VETTING_REVIEW_DEADLINE_WARNING_DAYS", 1)

# E-mail (notifications; README, "Notifications and e-mail"). VETTING_EMAIL_URL names the SMTP
# server (smtp://, smtp+tls://, smtps://, see vetting/email_url.py); without it the usual Django
# settings EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS and
# EMAIL_USE_SSL are read from the environment. With neither, embedded mode (no DATABASE_URL or
# no REDIS_URL) prints messages on the console; a server install uses Django's default, SMTP
# on localhost:25. Messages are sent by a Celery task that retries while the server is down.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("VETTING_EMAIL_FROM", "") or "vetting <vetting@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("VETTING_EMAIL_URL", "").strip():
    from vetting.email_url import parse_email_url

    _email = parse_email_url(os.environ["VETTING_EMAIL_URL"])
    if os.environ.get("VETTING_EMAIL_FROM"):
        _email.pop("DEFAULT_FROM_EMAIL", None)
    globals().update(_email)
elif os.environ.get("EMAIL_HOST", "").strip():
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"].strip()
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
elif EMBEDDED or not os.environ.get("REDIS_URL"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The e-mail task waits this long before its first retry, then twice as long each time.
VETTING_EMAIL_RETRY_SECONDS = env_int("VETTING_EMAIL_RETRY_SECONDS", 30, minimum=1)
# Links in e-mails: the address users open vetting at, without a trailing slash.
VETTING_BASE_URL = (
    os.environ.get("VETTING_BASE_URL", "").strip().rstrip("/") or "http://localhost:8000"
)
if not VETTING_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"VETTING_BASE_URL must start with http:// or https://; it is {VETTING_BASE_URL!r}."
    )

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache (API throttles): Redis when REDIS_URL is set, so every web process counts together,
# otherwise this process's memory.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vetting",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# An explicit host keeps kombu from warning on every in-process task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("VETTING_CELERY_QUEUE", "vetting")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job whose worker died is handed to another within 3 minutes, by these together (the sum is
# checked in tests/reports/test_redispatch_timing.py):
# - a running job writes a heartbeat every REPORTS_HEARTBEAT_SECONDS (a thread beside the build);
# - it counts as dead after REPORTS_RUNNING_STALE_SECONDS without one (several missed beats);
# - beat looks for dead and lost jobs every REPORTS_REDISPATCH_SECONDS.
# Worst case: stale (90 s) + one redispatch period (60 s) = 150 s after the last heartbeat.
# A message dispatched but never started (lost in a broker restart) is sent again after
# REPORTS_QUEUED_STALE_SECONDS; a second delivery of a job that is running or done does nothing.
REPORTS_HEARTBEAT_SECONDS = float(os.environ.get("VETTING_REPORTS_HEARTBEAT_SECONDS", "15"))
if not 0 < REPORTS_HEARTBEAT_SECONDS <= 20:
    raise ImproperlyConfigured("VETTING_REPORTS_HEARTBEAT_SECONDS must be above 0 and at most 20.")
REPORTS_RUNNING_STALE_SECONDS = 90
REPORTS_QUEUED_STALE_SECONDS = 120
REPORTS_REDISPATCH_SECONDS = 60
# Redis hands an unacknowledged message (acks_late) to another worker after this long. The
# redispatcher above is faster for report jobs; this is the backstop for every other task, and
# a redelivery of a report job still running elsewhere is ignored (its heartbeat is fresh).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = TIME_ZONE
# Beat writes a heartbeat on every tick (vetting.celery.HeartbeatScheduler), at least this often.
CELERY_BEAT_SCHEDULER = "vetting.celery:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
CELERY_BEAT_SCHEDULE = {
    "redispatch-stuck-report-jobs": {
        "task": "reports.tasks.redispatch_stuck_jobs",
        "schedule": float(REPORTS_REDISPATCH_SECONDS),
    },
}
# Beat anchors the audit chain's head in the report storage this often (audit/services.py).
_anchor_minutes = os.environ.get("VETTING_AUDIT_ANCHOR_MINUTES", "60").strip()
if not _anchor_minutes.isdigit() or int(_anchor_minutes) < 1:
    raise ImproperlyConfigured(
        "VETTING_AUDIT_ANCHOR_MINUTES must be a whole number of minutes; "
        f"it is {_anchor_minutes!r}."
    )
VETTING_AUDIT_ANCHOR_MINUTES = int(_anchor_minutes)
# Audit events join the hash chain (audit/services.py) through one sealer that beat runs every
# VETTING_AUDIT_SEAL_SECONDS: a single writer extends the chain, off the request path, so that
# recording an event costs its INSERT alone. Without a worker (embedded mode) each transaction
# seals its own events just after it commits. Anchors seal what is pending first.
VETTING_AUDIT_SEAL_SECONDS = env_int("VETTING_AUDIT_SEAL_SECONDS", 5, minimum=1)
AUDIT_SEAL_ON_COMMIT = CELERY_TASK_ALWAYS_EAGER
CELERY_BEAT_SCHEDULE["seal-audit-chain"] = {
    "task": "audit.tasks.seal_chain",
    "schedule": float(VETTING_AUDIT_SEAL_SECONDS),
    # A worker that was down finds one sealing to do, not one per missed interval.
    "options": {"expires": float(VETTING_AUDIT_SEAL_SECONDS)},
}
CELERY_BEAT_SCHEDULE["anchor-audit-chain"] = {
    "task": "audit.tasks.anchor_chain",
    "schedule": VETTING_AUDIT_ANCHOR_MINUTES * 60.0,
}
# Every night at HH:30 (server time zone) beat checks every stored file against its hash.
_integrity_hour = os.environ.get("VETTING_INTEGRITY_CHECK_HOUR", "2").strip().lower()
if _integrity_hour not in {"off", "none", ""}:
    if not _integrity_hour.isdigit() or not 0 <= int(_integrity_hour) <= 23:
        raise ImproperlyConfigured(
            "VETTING_INTEGRITY_CHECK_HOUR must be an hour from 0 to 23, or 'off'; "
            f"it is {_integrity_hour!r}."
        )
    CELERY_BEAT_SCHEDULE["nightly-integrity-check"] = {
        "task": "reports.tasks.scheduled_integrity_check",
        "schedule": crontab(hour=int(_integrity_hour), minute=30),
    }

# Every ten minutes beat reminds reviewers and owners of reviews near or past their deadline
# (once per case, deadline and kind; see cases/services/deadlines.py).
CELERY_BEAT_SCHEDULE["review-deadline-reminders"] = {
    "task": "cases.tasks.review_deadline_reminders",
    "schedule": crontab(minute="*/10"),
}
# Retention (retention/): months a case is kept after its final state, per final state, where
# compliance set none on the retention page. VETTING_RETENTION_MONTHS overrides some or all:
# "closed_cleared=6,approved=24,rejected=12,referred=84".
VETTING_RETENTION_MONTHS = {"closed_cleared": 6, "approved": 24, "rejected": 12, "referred": 84}
for _item in env_list("VETTING_RETENTION_MONTHS", []):
    _status, _sep, _months = _item.partition("=")
    if _status.strip() not in VETTING_RETENTION_MONTHS or not _months.strip().isdigit():
        raise ImproperlyConfigured(
            "VETTING_RETENTION_MONTHS takes final-state=months pairs, e.g. "
            f"'closed_cleared=6,referred=84'; {_item!r} is not one."
        )
    VETTING_RETENTION_MONTHS[_status.strip()] = int(_months)
# Days a case stays on the "due for purging" list before it is purged without confirmation.
_grace_days = os.environ.get("VETTING_PURGE_GRACE_DAYS", "30").strip()
if not _grace_days.isdigit():
    raise ImproperlyConfigured(
        f"VETTING_PURGE_GRACE_DAYS must be a whole number of days; it is {_grace_days!r}."
    )
VETTING_PURGE_GRACE_DAYS = int(_grace_days)
# Every day at 03:15 (server time zone) beat lists what is due and purges what is ready.
CELERY_BEAT_SCHEDULE["retention-sweep"] = {
    "task": "retention.tasks.retention_sweep",
    "schedule": crontab(hour=3, minute=15),
}

# The database dump in a backup (vetting/backup.py): JSON Lines with encrypted numbers encrypted.
SERIALIZATION_MODULES = {"vetting-jsonl": "vetting.backup_serializer"}

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    # Obtaining a token (a password guess) is throttled per client address, on top of the
    # lockout; see accounts/api.py.
    "DEFAULT_THROTTLE_RATES": {
        "auth-token": os.environ.get("VETTING_TOKEN_RATE", "10/min"),
    },
    "NUM_PROXIES": PROXY_COUNT or None,
}
# JSON bodies are parsed with a nesting limit (see common/api.py JSONParser).
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer",
    "common.api.BrowsableAPIRenderer",
]
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "common.api.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# Service errors map to the same status codes for every API view (see common/api.py).
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "common.api.exception_handler"
# Token first, so an anonymous API call gets 401 with WWW-Authenticate rather than 403.
# Tokens are accounts.ApiToken (hashed, expiring), not DRF's authtoken (clear keys, no expiry).
# A browser session counts only once its second factor is verified (accounts/api_auth.py).
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "accounts.authentication.ApiTokenAuthentication",
    "accounts.api_auth.VerifiedSessionAuthentication",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "vetting API",
    "DESCRIPTION": (
        "Case management for screening applicants against the US/ROK advisories on DPRK IT "
        "workers. Every endpoint applies the same role rules as the web pages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Choice sets that share a field name get explicit schema names (see /api/schema/).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "IndicatorKindEnum": "indicators.models.Kind",
    "CatalogVersionKindEnum": "indicators.models.VersionKind",
    "ProfileKindEnum": "cases.models.ProfileKind",
    "HistoryEntryKindEnum": ["education", "employment"],
    "RiskLevelEnum": "cases.models.RiskLevel",
    "CaseStatusEnum": "cases.models.Status",
    "ReportKindEnum": "reports.models.ReportKind",
    "ReportJobStatusEnum": "reports.models.JobStatus",
}
# No call to swagger.io's online validator: the docs page talks only to this server.
SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"] = {"deepLinking": True, "validatorUrl": None}
SPECTACULAR_SETTINGS["DESCRIPTION"] += """

**Authentication.** `POST /api/v1/auth/token/` with a username and password returns a new token,
shown only in that answer; send it as `Authorization: Token <token>`. Tokens expire (30 days by
default) and are revoked when the password changes; `GET /api/v1/auth/tokens/` lists yours and
`DELETE /api/v1/auth/tokens/{id}/` revokes one. A signed-in browser session works too once it has
passed the second factor (otherwise 403; unsafe methods then need the CSRF token).
`GET /api/v1/auth/me/` shows your roles.

**Errors.** 400: bad input, with a list of messages per field (`non_field_errors` for the request
as a whole); nothing was changed. 401: not signed in. 403: your role may not do this, or the
four-eyes rule forbids it. 404: no such object, or one you may not see. 409: not possible in the
object's current state, e.g. approving a draft. Every error body has a readable message.

**Lists** are cursor-paginated: follow `next` until it is null; `page_size` is at most 100."""
SPECTACULAR_SETTINGS["TAGS"] = [
    {"name": "auth", "description": "Tokens and the signed-in user."},
    {"name": "catalogue", "description": "Published indicator catalogue versions (read-only)."},
    {"name": "cases", "description": "Open, list, search and read cases."},
    {"name": "candidates", "description": "The applicant's claimed facts; numbers are masked."},
    {"name": "checklist", "description": "Answers to the red flags and due-diligence steps."},
    {"name": "evidence", "description": "Files supporting the answers, hashed at upload."},
    {"name": "workflow", "description": "Submit, review, sign off, return and reopen."},
    {"name": "comments", "description": "A case's discussion in Markdown, with @mentions."},
    {"name": "reports", "description": "Risk summary PDFs and referral packets."},
    {"name": "audit", "description": "Compliance exports of the audit log."},
    {"name": "notifications", "description": "Your inbox: what happened to your cases."},
]

# Operations (README, Operations): Prometheus metrics at /metrics, off unless VETTING_METRICS=1,
# then only with the bearer token or from an allow-listed address (or network).
VETTING_METRICS = env_bool("VETTING_METRICS", False)
VETTING_METRICS_TOKEN = os.environ.get("VETTING_METRICS_TOKEN", "")
VETTING_METRICS_ALLOW = env_list("VETTING_METRICS_ALLOW", [])
if VETTING_METRICS and VETTING_METRICS_TOKEN and len(VETTING_METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("VETTING_METRICS_TOKEN must be at least 16 characters long.")

# Logs: plain text by default, one JSON object a line with VETTING_LOG_FORMAT=json.
VETTING_LOG_FORMAT = os.environ.get("VETTING_LOG_FORMAT", "plain").strip().lower()
if VETTING_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(
        f"VETTING_LOG_FORMAT must be 'plain' or 'json'; it is {VETTING_LOG_FORMAT!r}."
    )
# Celery workers and beat log through this configuration too when the format is json.
CELERY_WORKER_HIJACK_ROOT_LOGGER = VETTING_LOG_FORMAT != "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "common.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "common.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": VETTING_LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("VETTING_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
