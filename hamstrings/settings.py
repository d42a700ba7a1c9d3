"""Settings for the hamstring program.

Everything that differs between a laptop and production comes from the environment.
A bad value stops start-up with a message naming the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Production is what runs when nothing says otherwise: DEBUG only with DJANGO_DEBUG=1, which
# `make run`, the tests and the README's local commands set.
DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set: without DJANGO_DEBUG=1 this runs in production mode. "
            "For production set DJANGO_SECRET_KEY (50 or more random characters), "
            "DJANGO_ALLOWED_HOSTS and DJANGO_EMAIL_BACKEND; on your own machine use `make run`, "
            "or set DJANGO_DEBUG=1."
        )
    # Only for local use: a fixed key keeps sessions across `make run` restarts.
    SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production-0123456789"
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names when DEBUG is off")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "programs",
]

MIDDLEWARE = [
    # Outermost, so static files (answered by WhiteNoise) and Django's own early answers (a bad
    # host, a slash redirect) carry these headers too, and odd methods stop at the door.
    "programs.middleware.SecurityHeadersMiddleware",
    "programs.middleware.KnownMethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files itself with its pre-compressed copies; before
    # the rest, so it compresses the finished page. Django masks the CSRF token per response and
    # pads the gzip stream at random (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "programs.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "programs.middleware.PrivatePagesMiddleware",
    # Axes must be last: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hamstrings.urls"
WSGI_APPLICATION = "hamstrings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # As django-template-partials would set them up, with ours read without their
            # indentation (hamstrings/template_loaders.py); cached in every mode, as by default.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "hamstrings.template_loaders.CompactLoader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programs.caching.csrf_hole",
            ],
            # Django 6.0 has partials built in with the same syntax; until then, this library.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# SQLite by default so a fresh checkout runs; PostgreSQL through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so two tabs logging sets at once queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DJANGO_CONN_MAX_AGE", 600)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DJANGO_CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Give up on an unreachable server quickly, so /healthz answers 503 before the balancer's
    # probe (or gunicorn's 30 s worker timeout) gives up on us.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# What is drawn from the content and from each person's record is cached under their version
# numbers (programs/caching.py), so a cache can never show anything stale, only miss. Local
# memory in each worker unless told otherwise; several machines can share Redis or memcached
# (docs/deploy.md), e.g. DJANGO_CACHE_BACKEND=django.core.cache.backends.redis.RedisCache and
# DJANGO_CACHE_LOCATION=redis://127.0.0.1:6379/1.
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
CACHES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", LOCAL_MEMORY_CACHE),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "hamstrings"),
        "TIMEOUT": 24 * 3600,
    }
}
if CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE:
    # A few thousand regions per worker: some tens of MB of HTML at the very most.
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": envint("DJANGO_CACHE_MAX_ENTRIES", 2000)}

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
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "programs-dashboard"
LOGOUT_REDIRECT_URL = "programs-home"

# Lock a username+address pair out after repeated failures, then let it cool off.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind load balancers the address comes from X-Forwarded-For, counted from the right.
PROXY_COUNT = envint("DJANGO_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "hamstrings.proxy.client_ip"

# Mail is what someone set up, never a guess: in production the console backend only when
# DJANGO_EMAIL_BACKEND names it (it would print every password-reset link to the server's log).
# With no mail set up, password reset says plainly that it is not available here, sends
# nothing, and `check --deploy` warns (programs.checks).
_email_backend = os.environ.get("DJANGO_EMAIL_BACKEND", "").strip()
MAIL_CONFIGURED = bool(_email_backend) or DEBUG
# Posts per visitor address before a "too many tries" page (programs.throttle): (tries, seconds).
# Each of these forms costs a password hash; a household behind one address stays well under.
THROTTLES = {
    "signup": (envint("THROTTLE_SIGNUPS_PER_HOUR", 10), 3600),
    "login": (envint("THROTTLE_LOGINS_PER_5_MINUTES", 20), 300),
    "password_reset": (envint("THROTTLE_RESETS_PER_HOUR", 5), 3600),
}

EMAIL_BACKEND = _email_backend or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.dummy.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "hamstrings@localhost")
# Where links in mail sent with no request to hand (`manage.py send_reminders`) point.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# Password-reset mail in production: DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Security. Behind a TLS proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token written into the page (hx-headers), so no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Powerful features the app does not use are off for every page (and anything it embeds).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# All script and style come from our own static files, so the policy needs nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

# Turns on the do-nothing views that `make bench` measures the real pages against.
BENCH_BARE_VIEW = envbool("BENCH_BARE_VIEW", False)

# Player timers run on this many real milliseconds per "second". Not read from the environment,
# so no deployment can run a faked clock; only tests shorten it, through their settings.
PLAYER_MS_PER_SECOND = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
