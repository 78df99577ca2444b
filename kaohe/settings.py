"""Kaohe settings: one module; production values come from the environment.

Development runs out of the box (SQLite in the project folder, DEBUG on). In production set
KAOHE_DEBUG=false, KAOHE_SECRET_KEY, KAOHE_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from kaohe.ldap_settings import authentication_backends, ldap_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("KAOHE_DEBUG", True)
SECRET_KEY = env_str("KAOHE_SECRET_KEY", "dev-insecure-kaohe-secret-key" if DEBUG else None)  # kaohe/deploy.py
ALLOWED_HOSTS = env_list("KAOHE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("KAOHE_CSRF_TRUSTED_ORIGINS", [])

# Excel imports are refused whole above these sizes (a ledger import runs within the request).
KAOHE_IMPORT_MAX_BYTES = env_int("KAOHE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
KAOHE_IMPORT_MAX_ROWS = env_int("KAOHE_IMPORT_MAX_ROWS", 2000)
# A ledger workbook larger than this is imported in the background (reviews.imports, `manage.py db_worker`).
KAOHE_IMPORT_BACKGROUND_BYTES = env_int("KAOHE_IMPORT_BACKGROUND_BYTES", 100 * 1024)

# The key that signs backups (ops/backup.py); a restore needs the key of the instance that wrote the backup.
KAOHE_BACKUP_KEY = env_str("KAOHE_BACKUP_KEY", SECRET_KEY)

# Where runtime data lives: the SQLite file (development), evidence files, generated reports.
DATA_DIR = Path(env_str("KAOHE_DATA_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "kaohe.apps.AxesConfig",
    "django_tasks",
    "kaohe.apps.TasksDatabaseConfig",
    "departments",
    "scoring",
    "reviews",
    "workplans",
    "staff",
    "ballots",
    "workflow",
    "notices",
    "reports",
    "results",
    "people",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An account created from the roster changes its initial password before anything else.
    "people.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaohe.urls"

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
                "departments.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "kaohe.wsgi.application"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # A PostgreSQL connection costs the server a new process: each worker keeps its own for ten minutes
        # (checked before reuse) instead of opening one per request. SQLite opens a file; nothing to keep.
        conn_max_age=env_int("KAOHE_DB_CONN_MAX_AGE", 0 if DATABASE_URL.startswith("sqlite") else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, tasks and commands share the file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Intranet login (LDAP / Active Directory) when KAOHE_LDAP_URI is set: kaohe/ldap_settings.py, docs/security.md.
_ldap = ldap_settings(os.environ)
globals().update(_ldap)
AUTHENTICATION_BACKENDS = authentication_backends(_ldap["KAOHE_LDAP_ENABLED"])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ops.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for admin strings Django's own zh_Hans catalogue lacks (locale/zh_Hans/LC_MESSAGES/djangojs.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
LANGUAGES = [("zh-hans", "简体中文")]
# Dates in form inputs as YYYY-MM-DD (kaohe/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["kaohe.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("KAOHE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))

# Evidence files are private: outside the static tree, served only through permission-checking views.
EVIDENCE_ROOT = DATA_DIR / "evidence"
EVIDENCE_MAX_BYTES = env_int("KAOHE_EVIDENCE_MAX_MB", 20) * 1024 * 1024

# Scored years kept in each process's memory, keyed by their data version (results.cache.year_scored).
# A 2,000-department / 200,000-record year takes about 100 MB; 0 turns the cache off.
KAOHE_SCORING_CACHE_SIZE = env_int("KAOHE_SCORING_CACHE_SIZE", 2)
# The year-end PDF prints every ledger line up to this many, and a section per department up to this many
# departments; a larger (province-scale) year prints totals and leaves the detail to the workbook.
KAOHE_PDF_LEDGER_ROWS_MAX = env_int("KAOHE_PDF_LEDGER_ROWS_MAX", 5000)
KAOHE_PDF_SECTIONS_MAX = env_int("KAOHE_PDF_SECTIONS_MAX", 200)
# Re-score on every cache hit and fail loudly if the cached result is stale (the test suite turns it on).
KAOHE_SCORING_CACHE_CHECK = env_bool("KAOHE_SCORING_CACHE_CHECK", False)
REPORTS_ROOT = DATA_DIR / "reports"
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail (notices and reminders, `manage.py send_reminders`): printed to the console unless an SMTP host is set.
EMAIL_HOST = env_str("KAOHE_EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "KAOHE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("KAOHE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KAOHE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("KAOHE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KAOHE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("KAOHE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("KAOHE_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("KAOHE_EMAIL_FROM", "kaohe@localhost")
# The address the e-mails' links start with, and how many days before a deadline its reminder is sent.
KAOHE_SITE_URL = env_str("KAOHE_SITE_URL", "http://127.0.0.1:8000")
KAOHE_REMINDER_DAYS = env_int("KAOHE_REMINDER_DAYS", 3)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env_int("KAOHE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every asset is the app's own (an offline intranet): scripts only from its static files, no inline script; inline
# style attributes remain (charts, tables), hence style-src's 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# No page uses the camera, microphone, location, payment or USB; nothing embedded may either.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("KAOHE_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("KAOHE_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("KAOHE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KAOHE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-simple-history: a model's past versions are shown, never reverted from the history page (which would
# bypass the model's own change rules; kaohe/admin_history.py also refuses such a POST).
SIMPLE_HISTORY_REVERT_DISABLED = True

# One cache for every worker and host: the throttles (the ballot page's wrong codes) must count across them.
# The database by default (`manage.py createcachetable`, run by `make setup`); Redis with KAOHE_REDIS_URL.
if os.environ.get("KAOHE_REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("KAOHE_REDIS_URL")}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kaohe_cache"}}

# The reverse proxies whose X-Forwarded-For is believed (kaohe/client.py; gunicorn.conf.py reads the same).
KAOHE_FORWARDED_ALLOW_IPS = env_list("KAOHE_FORWARDED_ALLOW_IPS", ["127.0.0.1"])

# django-axes: lock an account/IP pair after repeated failed logins, the client's address as kaohe/client.py
# finds it behind a proxy.
AXES_FAILURE_LIMIT = env_int("KAOHE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kaohe.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KAOHE_LOG_LEVEL", "WARNING").upper()},
}

DATA_DIR.mkdir(parents=True, exist_ok=True)
