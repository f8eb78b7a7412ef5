"""Settings for 微心愿, read from the environment. They fail closed: with no environment at all
DEBUG is off and the app refuses to start without a SECRET_KEY and ALLOWED_HOSTS. Development
asks for DEBUG=1 (`make run` and the other make targets set it themselves; tests use
config.settings_test).

Production sets at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.SiteConfig",  # first: plain form messages before any form is built
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "accounts",
    "communities",
    "wishes",
    "notices",
    "outcomes",
    "audit",
    "api",
    "django_tasks_db",
    "pgtrigger",  # history tables refuse UPDATE and DELETE in PostgreSQL itself
    "ninja",  # the JSON API's Swagger UI, served from our static files (no CDN)
    # Two-factor sign-in (accounts/two_factor.py): TOTP authenticator apps and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.read_ahead.ReadAheadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.ApiProblemsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RefuseNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.SecondFactorMiddleware",
    "accounts.scoping.ScopeMiddleware",
    "config.middleware.PrivateByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.SessionClocksMiddleware",
    "accounts.sessions.PasswordChangeRequiredMiddleware",
    "config.ratelimit.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    # Last, so its answer reaches the CSP middleware: this request's token and nonce in place
    # of the placeholders of HTML kept in the cache (config/holes.py).
    "config.holes.FillHolesMiddleware",
]

# Content-Security-Policy (Django's own): scripts and styles only from this site, the one inline
# block a page needs carries the request's nonce; no plugins, no framing, forms post here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features the site never uses are off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.roles",
                "django.template.context_processors.csp",
                "config.holes.holes",  # last: what is kept in the cache renders placeholders
            ],
        },
    },
]

# Widgets rendered in Python, the same HTML as Django's templates (config/form_renderer.py).
FORM_RENDERER = "config.form_renderer.FastWidgetRenderer"

# The embedded default is a SQLite file beside manage.py; production passes DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, checking a connection's health only after it was quiet a while.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # PostgreSQL plans a query's joins in every order up to join_collapse_limit (8) tables:
    # the 7-table select_related of a claims list took 13 ms to plan and 0.5 ms to run. At 4
    # it takes 3 ms, and our joins (from the filtered table to its parents by key) keep their
    # plans. bench/ measures it; JOIN_COLLAPSE_LIMIT=8 restores PostgreSQL's default.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c join_collapse_limit={int(os.environ.get('JOIN_COLLAPSE_LIMIT', '4'))}"
    )
# The request's user and their roles are read by one statement prepared once per PostgreSQL
# session (accounts/identity.py). Behind a pooler that hands each transaction another session
# (PgBouncer's transaction mode), set PREPARED_STATEMENTS=0.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Sessions (accounts/sessions.py): a fresh key at every login (Django), the session cookie
# HttpOnly and SameSite=Lax (Secure in production), and two clocks. Idle: staff are signed out
# after SESSION_IDLE_STAFF_MINUTES (2 h) without a request — their screens show residents'
# illnesses and addresses, often on a shared office PC; residents and volunteers, on their own
# phones in WeChat, after SESSION_IDLE_MINUTES (3 days), or an old person would be asked for a
# password every visit. Absolute: nobody stays signed in longer than 7 days from logging in.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(7 * 24 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_IDLE_STAFF_MINUTES = int(os.environ.get("SESSION_IDLE_STAFF_MINUTES", "120"))
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", str(3 * 24 * 60)))

# A few wrong passwords for one account, then a pause (accounts/throttle.py).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))

# Rate limits (config/ratelimit.py): POSTs an hour per signed-in user and per client address.
# PROXY_COUNT: how many proxies append to X-Forwarded-For in front of the app (0: none, the
# client is REMOTE_ADDR). Staff are not limited.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
RATE_LIMITS = {
    "register": {"urls": ["accounts:register", "accounts:register_code"], "per_address": 30},
    "phone": {"urls": ["accounts:profile", "accounts:phone_code"], "per_user": 30},
    "password_reset": {"urls": ["accounts:password_reset"], "per_address": 20},
    "wish": {"urls": ["wishes:new", "wishes:edit"], "per_user": 20, "per_address": 100},
    "claim": {"urls": ["wishes:claim", "wishes:accept"], "per_user": 30, "per_address": 150},
    "event": {"urls": ["wishes:event_code", "wishes:event"], "per_user": 20, "per_address": 100},
    "upload": {"per_user": 60, "per_address": 300},
}

# The JSON API (api/): calls a minute per address without a token, per person with one.
API_RATES = {
    "anonymous": os.environ.get("API_RATE_ANONYMOUS", "120/m"),
    "user": os.environ.get("API_RATE_USER", "600/m"),
}

# Two-factor sign-in: anyone may turn it on; staff roles (grid workers, community staff, street
# admins) and everyone who can open the admin must, unless TWO_FACTOR_REQUIRED=0. On by default
# in production, off in development so the demo accounts log in with a password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "微心愿"

# Shared across workers in production (login throttling counts there); per process otherwise.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # Django's, sharing one client
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    # Sessions read from Redis, written through to the database so none is lost if Redis
    # restarts: one query fewer on every page (bench/ measures it).
    SESSION_ENGINE = "accounts.session_store"

# Who is asking (accounts/identity_kept.py): kept in the shared cache between requests, moved
# on by every write to what it is read from; a change made outside the app counts within this.
IDENTITY_KEPT = env_bool("IDENTITY_KEPT", bool(os.environ.get("REDIS_URL")))
IDENTITY_KEPT_SECONDS = int(os.environ.get("IDENTITY_KEPT_SECONDS", 300))

# Django's rules, in plain words (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator"},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("英语"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads (wishes/uploads.py): a request over UPLOAD_MAX_REQUEST_BYTES is refused before its body
# is read (keep the proxy's client_max_body_size the same, README); a file is kept only up to
# 5 MB and then dropped, so its form says it is too big and keeps what was typed.
FILE_UPLOAD_HANDLERS = [
    "wishes.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_REQUEST_BYTES = 100 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the fields besides files: a few KB in every form
FILE_UPLOAD_MAX_MEMORY_SIZE = 2560 * 1024  # a bigger request's files go to temporary files
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

# The workbench's clock (days): a claim with no progress for WISH_STALE_DAYS shows as overdue;
# `manage.py sweep_wishes` releases claims (and dispatches) untouched for WISH_AUTO_RELEASE_DAYS
# and tells the street admins about wishes unclaimed for WISH_ESCALATE_DAYS.
WISH_STALE_DAYS = int(os.environ.get("WISH_STALE_DAYS", "14"))
WISH_AUTO_RELEASE_DAYS = int(os.environ.get("WISH_AUTO_RELEASE_DAYS", "30"))
WISH_ESCALATE_DAYS = int(os.environ.get("WISH_ESCALATE_DAYS", "30"))
# A fulfilled wish the resident has not confirmed after this many days: staff are prompted.
WISH_CONFIRM_REMIND_DAYS = int(os.environ.get("WISH_CONFIRM_REMIND_DAYS", "7"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "微心愿 <noreply@localhost>")

# Notices (notices/): the address links in e-mail and SMS point to, the SMS backend (an adapter
# for a provider implements notices.channels.SmsBackend; the default writes to the log), and
# how many times a failed delivery is tried before it is marked failed.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notices.channels.LoggingSmsBackend")
NOTICE_MAX_ATTEMPTS = int(os.environ.get("NOTICE_MAX_ATTEMPTS", "6"))

# Background work (django.tasks): in development tasks run at once, inside the request, so
# `make run` needs no worker; in production the django-tasks-db worker (`manage.py db_worker`)
# takes them from the database. TASKS_BACKEND switches, e.g. to a Redis-backed worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload: browsers never try plain HTTP. Set SECURE_HSTS_PRELOAD=0 before the domain is
    # ready to be listed (check --deploy then warns, as it should).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Security events (audit/security.py) are one JSON line each on stdout, apart from the rest of
# the log (stderr), for the collector: logins, failures, 2FA, refusals, exports of personal data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json_line": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json_line",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own logger keeps its console handler; LOG_LEVEL counts for it too.
        "django": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "django.db.backends": {"level": "INFO"},
        "microwish.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}
