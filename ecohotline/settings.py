"""Django settings for EcoHotline.

Every setting comes from an environment variable with a safe embedded default (SQLite in a local data
folder, DEBUG off, huey on SQLite). `.env.example` lists them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("ECOHOTLINE_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use ECOHOTLINE_SECRET_KEY, else a random key kept in the data folder (never in the repository)."""
    configured = env("ECOHOTLINE_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ECOHOTLINE_DEBUG", False)
ALLOWED_HOSTS = env_list("ECOHOTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("ECOHOTLINE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "ecohotline.core",
    "ecohotline.org",
    "ecohotline.audit",
    "ecohotline.notify",
    "ecohotline.cases",
    "ecohotline.intake",
    "ecohotline.monitoring",
    "ecohotline.assessment",
    "ecohotline.insight",
    "ecohotline.knowledge",
    "ecohotline.training",
    "ecohotline.reports",
    "ecohotline.hooks",
    "ecohotline.open311",
    "ecohotline.public",
    "ecohotline.api",
    "ecohotline.ui",
    "ecohotline.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ecohotline.audit.services.RequestMiddleware",
    "ecohotline.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ecohotline.core.middleware.IdleSessionMiddleware",
    "ecohotline.training.middleware.TrainingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ecohotline.urls"
WSGI_APPLICATION = "ecohotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecohotline.ui.context_processors.navigation",
                "ecohotline.training.context_processors.training",
            ],
        },
    },
]

# --- Database: SQLite (WAL) in the data folder by default, PostgreSQL via DATABASE_URL ---
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ecohotline.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("ECOHOTLINE_CONN_MAX_AGE", "0")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker and the web server use the file at once; IMMEDIATE takes the write lock at
        # BEGIN so that two writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-65536;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("ECOHOTLINE_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
# Argon2id for every new or changed password; older PBKDF2 hashes still verify and are rehashed at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media files. Front-end packages (Bootstrap, htmx, ECharts) come from npm at set-up. ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env("ECOHOTLINE_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES_DIR = Path(env("ECOHOTLINE_NODE_MODULES", str(PROJECT_DIR / "node_modules")))
STATICFILES_DIRS = [("vendor", NODE_MODULES_DIR)] if NODE_MODULES_DIR.is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("ECOHOTLINE_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "ecohotline.api.pagination.CasePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ecohotline.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EcoHotline API",
    "DESCRIPTION": "接诉即办 case handling for a district Ecology and Environment Bureau.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A case's channel may be the training sandbox's; what a client sends or filters by is a real one.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "ecohotline.cases.models.Channel",
        "RealChannelEnum": "ecohotline.cases.models.REAL_CHANNELS",
    },
}

# --- Cache and background jobs: huey on SQLite by default, Redis when REDIS_URL is set ---
REDIS_URL = env("REDIS_URL")
HUEY_IMMEDIATE = env_bool("ECOHOTLINE_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "ecohotline",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": int(env("ECOHOTLINE_WORKER_THREADS", "2")), "worker_type": "thread"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ecohotline",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": int(env("ECOHOTLINE_WORKER_THREADS", "2")), "worker_type": "thread"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Open channels: the public page and Open311 ---
# How many reverse proxies append to X-Forwarded-For in front of the web processes (0: none; the client's address
# is then REMOTE_ADDR). The rate limits of the public page and of Open311 count per client address.
TRUSTED_PROXIES = int(env("ECOHOTLINE_TRUSTED_PROXIES", "0"))
OPEN311_JURISDICTION_ID = env("ECOHOTLINE_OPEN311_JURISDICTION_ID", "haidian.bjepb.gov.cn")
OPEN311_GETS_PER_IP_PER_HOUR = int(env("ECOHOTLINE_OPEN311_GETS_PER_IP_PER_HOUR", "3600"))

# --- Intake ---
# Dispatch new cases automatically when triage's routing confidence reaches this (0–1); empty: never.
AUTO_DISPATCH_CONFIDENCE = float(env("ECOHOTLINE_AUTO_DISPATCH_CONFIDENCE", "") or "nan")
# Big imports triage the next batch in a second process while this one writes (see intake/pretriage.py).
IMPORT_TRIAGE_PROCESS = env_bool("ECOHOTLINE_IMPORT_TRIAGE_PROCESS", True)
IMPORT_TRIAGE_PROCESS_FROM_ROWS = int(env("ECOHOTLINE_IMPORT_TRIAGE_PROCESS_FROM_ROWS", "5000"))

# --- Deadlines ---
# How often the worker looks for deadlines to remind about or escalate (seconds).
DEADLINE_POLL_SECONDS = int(env("ECOHOTLINE_DEADLINE_POLL_SECONDS", "60"))

# --- Security (production values when DEBUG is off and HTTPS is declared) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("ECOHOTLINE_SESSION_AGE", str(8 * 3600)))
# The audit log keeps its entries this many days (at least 183: the law asks for six months).
AUDIT_RETENTION_DAYS = int(env("ECOHOTLINE_AUDIT_RETENTION_DAYS", "365"))
# Signed out after this long without a request (core.middleware.IdleSessionMiddleware).
SESSION_IDLE_SECONDS = int(env("ECOHOTLINE_SESSION_IDLE", str(30 * 60)))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("ECOHOTLINE_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ECOHOTLINE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("ECOHOTLINE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("ECOHOTLINE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("ECOHOTLINE_LOG_LEVEL", "INFO")},
    # huey's consumer prints through a handler of its own.
    "loggers": {"django.db.backends": {"level": "INFO"}, "huey": {"level": "INFO", "propagate": False}},
}

ADMIN_SITE_HEADER = _("EcoHotline administration")

# --- Ledger ---
# 台账: an open case enters the ledger once it has been open this many days (overdue cases enter at once).
LEDGER_OPEN_DAYS = int(env("ECOHOTLINE_LEDGER_OPEN_DAYS", "30"))
# …and as a difficult case when triage counted this many complaints about the place within 90 days.
LEDGER_REPEAT_THRESHOLD = int(env("ECOHOTLINE_LEDGER_REPEAT_THRESHOLD", "5"))
# How often the worker brings the ledger up to date (minutes, a divisor of 60).
LEDGER_SYNC_MINUTES = int(env("ECOHOTLINE_LEDGER_SYNC_MINUTES", "15"))
# 回访回溯: unsatisfied return visits older than this many days get no retrospective of their own (first run).
LEDGER_RETROSPECTIVE_DAYS = int(env("ECOHOTLINE_LEDGER_RETROSPECTIVE_DAYS", "90"))

# --- Reports ---
# The hour (Beijing time, 0–23) from which the worker generates each scheduled document: the 日调度单 on working
# days, the 周分析 and the 周调度会材料 on Mondays, the 月总结 on the first day of each assessment month.
REPORTS_DAILY_HOUR = int(env("ECOHOTLINE_REPORTS_DAILY_HOUR", "8"))
REPORTS_WEEKLY_HOUR = int(env("ECOHOTLINE_REPORTS_WEEKLY_HOUR", "8"))
REPORTS_MONTHLY_HOUR = int(env("ECOHOTLINE_REPORTS_MONTHLY_HOUR", "9"))
# The hour (Beijing) from which, on Mondays, the worker looks for unusual rises of complaints (insight.rises).
INSIGHT_RISES_HOUR = int(env("ECOHOTLINE_INSIGHT_RISES_HOUR", "7"))

# --- Notifications: e-mail and absolute links ---
# The platform's public address, for links in e-mails and group-robot posts (e.g. https://hotline.example.gov.cn).
SITE_URL = env("ECOHOTLINE_SITE_URL", "").rstrip("/")
# E-mail through SMTP when ECOHOTLINE_EMAIL_HOST is set; otherwise written to the log (console backend).
EMAIL_HOST = env("ECOHOTLINE_EMAIL_HOST")
EMAIL_BACKEND = env("ECOHOTLINE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                    else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(env("ECOHOTLINE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("ECOHOTLINE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("ECOHOTLINE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ECOHOTLINE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("ECOHOTLINE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env("ECOHOTLINE_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = env("ECOHOTLINE_EMAIL_FROM", "EcoHotline <noreply@localhost>")
