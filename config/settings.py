"""Agora settings, driven by environment variables.

Every variable has an embedded default that works on a fresh machine (SQLite file, tasks run in
process, console mail), so `make run` needs no configuration. Production sets `DJANGO_DEBUG=false`,
`DJANGO_SECRET_KEY`, `DJANGO_ALLOWED_HOSTS` and a real `DATABASE_URL`; then
`manage.py check --deploy` passes.
"""

import os
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
development_key = "insecure-development-key-only-for-the-embedded-default-0123456789"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=development_key if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", development_key):
    # Signing sessions, password resets and CSRF tokens with the key in the repository would
    # let anyone forge them: production does not start without its own key.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=false needs DJANGO_SECRET_KEY: set it to a long random value, e.g. "
        "the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "apps.backoffice.apps.AgoraAdminConfig",  # django.contrib.admin, with the business's home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's and ReDoc's files, pinned in requirements.txt: the docs pages load nothing
    # from a CDN, so they work offline and behind a firewall (served by whitenoise)
    "drf_spectacular_sidecar",
    "servicelayer",
    "apps.accounts",
    "apps.catalog",
    "apps.addresses",
    "apps.shipping",
    "apps.ordering",
    "apps.payments",
    "apps.bookings",
    "apps.webhooks",
    "apps.notifications",
    "apps.backoffice",
    "demo",
]

MIDDLEWARE = [
    # First: the request id and the access log cover everything after it, redirects included.
    "servicelayer.logging_middleware.RequestLogMiddleware",
    # JSON clients of the API (no session cookie, no HTML) leave here for the lean chain below
    "servicelayer.rest.lean.LeanApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The lean path's middleware (servicelayer.rest.lean): what an API request without a session
# needs of the stack above. Sessions, CSRF, authentication and messages serve the admin, the
# browsable API and session-signed-in clients, which keep the full stack.
AGORA_LEAN_API_PREFIX = "/api/"
AGORA_LEAN_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # the project's overrides of library templates (the browsable API, the docs pages)
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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves concurrent requests too (runserver is threaded): writers
    # take the lock when their transaction starts and wait for it, instead of failing with
    # "database is locked" when a read turns into a write; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# A connection pooler in front of PostgreSQL. `pgbouncer` (transaction pooling): a server
# connection is ours only for one transaction, so nothing may outlive it on the server. Named
# (server-side) cursors would, and so would prepared statements, which PgBouncer 1.18 does not
# carry across transactions: both are off (Django's psycopg 3 default already binds parameters
# on the client and prepares nothing; said here so that no OPTIONS elsewhere turns them on).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": False, "prepare_threshold": None}
    )
elif DATABASE_POOLER:
    raise ImproperlyConfigured(
        f"DATABASE_POOLER={DATABASE_POOLER!r} is not known: leave it empty (no pooler, or one "
        "in session mode) or set it to `pgbouncer` (transaction pooling)."
    )
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Counts that several app instances must share (failed sign-ins) live in this cache: the
# default is per process; production-like runs use e.g. redis://127.0.0.1:6379/1.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `manage.py collectstatic` (`make collectstatic`) puts the files production serves.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))

# Uploaded files (product images): stored through Django's storage API, STORAGES["default"].
# AGORA_MEDIA_STORAGE=local (the default): files under MEDIA_ROOT, served at MEDIA_URL by
# `runserver` in DEBUG only (whitenoise serves static files, never media: in production a web
# server or a CDN serves MEDIA_ROOT at MEDIA_URL). AGORA_MEDIA_STORAGE=s3: an S3-compatible
# store through django-storages (boto3 takes its credentials from the environment,
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the instance's role); see docs/catalog.md.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
AGORA_MEDIA_STORAGE = env.str("AGORA_MEDIA_STORAGE", default="local")
if AGORA_MEDIA_STORAGE == "local":
    MEDIA_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif AGORA_MEDIA_STORAGE == "s3":
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AGORA_S3_BUCKET"),
            # empty: AWS itself; else e.g. https://s3.eu-central-003.backblazeb2.com or MinIO
            "endpoint_url": env.str("AGORA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AGORA_S3_REGION", default="") or None,
            "location": env.str("AGORA_S3_PREFIX", default="media"),
            # a public CDN or bucket domain serves the files; without one, URLs are signed
            "custom_domain": env.str("AGORA_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("AGORA_S3_SIGNED_URLS", default=True),
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"AGORA_MEDIA_STORAGE={AGORA_MEDIA_STORAGE!r} is not known: `local` (MEDIA_ROOT) or `s3`."
    )
STORAGES: dict[str, dict[str, object]] = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Product images: the largest upload (bytes; the request body may be 64 KiB more, else 413),
# the most pixels (width x height, checked from the header before anything is decoded), the
# thumbnail's longest side, and how many images a product may have.
AGORA_IMAGE_MAX_BYTES = env.int("AGORA_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
AGORA_IMAGE_MAX_PIXELS = env.int("AGORA_IMAGE_MAX_PIXELS", default=25_000_000)
AGORA_IMAGE_THUMBNAIL_PX = env.int("AGORA_IMAGE_THUMBNAIL_PX", default=320)
AGORA_IMAGES_PER_PRODUCT = env.int("AGORA_IMAGES_PER_PRODUCT", default=20)

# The largest request body read into memory (files aside), 1 MiB: forms by Django, JSON by
# servicelayer's parser (413 `request_too_large`). The largest valid input is a few KiB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# a hung SMTP connection must end well before a mail stuck in `sending` is sent again (10 min)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# One currency per deployment; money is Decimal quantized to its minor unit.
AGORA_CURRENCY = env.str("AGORA_CURRENCY", default="EUR")
# An order not paid within this many minutes expires and its stock goes back.
AGORA_ORDER_PAYMENT_MINUTES = env.int("AGORA_ORDER_PAYMENT_MINUTES", default=30)
# A hotel booking not paid within this many minutes expires (nothing was booked or charged).
AGORA_BOOKING_PAYMENT_MINUTES = env.int("AGORA_BOOKING_PAYMENT_MINUTES", default=30)
# orders (bookings) one expiry run takes, in one transaction (the next run takes the rest)
AGORA_EXPIRY_BATCH = env.int("AGORA_EXPIRY_BATCH", default=200)
# The back office calls an active product with this many units or fewer low on stock.
AGORA_LOW_STOCK_THRESHOLD = env.int("AGORA_LOW_STOCK_THRESHOLD", default=5)
# `dummy` (Stripe-test-style tokens, no network), `stripe`, or the dotted path of a gateway
# class. Unset, it is the dummy, which `check --deploy` warns about (agora.W001).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="dummy")
PAYMENT_GATEWAY_CHOSEN = "PAYMENT_GATEWAY" in os.environ
# PAYMENT_GATEWAY=stripe: the secret key (sk_test_... or sk_live_...), the webhook endpoint's
# signing secret (whsec_...), and Stripe's API base (tests point it at a fake).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# A payment still processing after this long lost its worker: the gateway is asked about it.
# Longer than any gateway call may take.
PAYMENT_SETTLE_AFTER_SECONDS = env.int("PAYMENT_SETTLE_AFTER_SECONDS", default=120)
# a payment awaiting the customer's authentication (3-D Secure) this long is given up
PAYMENT_ACTION_TIMEOUT_SECONDS = env.int("PAYMENT_ACTION_TIMEOUT_SECONDS", default=3600)
# The hotel supplier: its base URL, or empty for the in-process sandbox supplier.
SUPPLIER_URL = env.str("SUPPLIER_URL", default="")
SUPPLIER_CONNECT_TIMEOUT = env.float("SUPPLIER_CONNECT_TIMEOUT", default=2.0)
SUPPLIER_READ_TIMEOUT = env.float("SUPPLIER_READ_TIMEOUT", default=10.0)
# The second supplier, StayHub (hotels with supplier "stayhub"): its base URL (the simulator
# serves it under /stayhub, e.g. http://127.0.0.1:8100/stayhub), or empty for its in-process
# sandbox; its API key (the simulator's demo key by default). The timeouts above apply to it.
STAYHUB_URL = env.str("STAYHUB_URL", default="")
STAYHUB_API_KEY = env.str("STAYHUB_API_KEY", default="stayhub-demo-key")
# A booking attempt the supplier has no trace of is failed only after this long.
SUPPLIER_RECONCILE_GRACE_SECONDS = env.int("SUPPLIER_RECONCILE_GRACE_SECONDS", default=120)
# A failed attempt the supplier may hold after all (it had no trace of it yet, or answered
# 5xx) is asked about for this long after it was made; one that turns up is canceled there.
SUPPLIER_RECONCILE_WINDOW_SECONDS = env.int("SUPPLIER_RECONCILE_WINDOW_SECONDS", default=86400)
# A hotel's availability and rates, as the supplier quoted them, are reused this long.
AVAILABILITY_CACHE_SECONDS = env.int("AVAILABILITY_CACHE_SECONDS", default=60)
# Reconciliation asks the supplier about confirmed stays starting within this many days.
SUPPLIER_WATCH_DAYS = env.int("SUPPLIER_WATCH_DAYS", default=7)

# Outgoing webhooks (apps.webhooks; README "Webhooks"). Endpoints must be https unless
# WEBHOOK_ALLOW_HTTP (development); private, loopback and link-local hosts are refused unless
# WEBHOOK_ALLOW_PRIVATE_HOSTS (tests, a receiver on the same machine): see apps/webhooks/targets.py.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
# Seconds to connect, and again to get the answer's status line, per attempt.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# A failed attempt is retried after BASE * 2^(failures - 1) seconds, at most MAX, shortened by
# up to JITTER (a fraction) at random; after MAX_ATTEMPTS failures the delivery has failed.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
WEBHOOK_RETRY_JITTER = env.float("WEBHOOK_RETRY_JITTER", default=0.2)

# API tokens (apps.accounts.models.ApiToken; see servicelayer.tokens): each sign-in issues one,
# valid this many days (0: tokens never expire).
SERVICELAYER_TOKEN_MODEL = "accounts.ApiToken"
AGORA_TOKEN_LIFETIME_DAYS = env.int("AGORA_TOKEN_LIFETIME_DAYS", default=30)
# Sign-in is refused (429) after this many failures per username, or per client address, within
# the window; a successful sign-in clears its username's count.
AGORA_LOGIN_FAILURES_PER_USERNAME = env.int("AGORA_LOGIN_FAILURES_PER_USERNAME", default=5)
AGORA_LOGIN_FAILURES_PER_IP = env.int("AGORA_LOGIN_FAILURES_PER_IP", default=20)
AGORA_LOGIN_FAILURE_WINDOW_SECONDS = env.int("AGORA_LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# Registrations and password reset requests each send an e-mail: every attempt counts (not only
# failures), at most this many per client address and per username or e-mail address in the
# window (registration and reset are counted apart); past it, a 429 with Retry-After.
AGORA_RATE_ACCOUNT_PER_IP = env.int("AGORA_RATE_ACCOUNT_PER_IP", default=20)
AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL = env.int("AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL", default=10)
AGORA_RATE_ACCOUNT_WINDOW_SECONDS = env.int("AGORA_RATE_ACCOUNT_WINDOW_SECONDS", default=3600)
# Every API request: at most this many per client address without a user, and per signed-in
# user ("N/s", "N/min", "N/hour", "N/day"; empty: no limit). The defaults are far above what a
# person or a well-behaved client sends; a load test states the rates it ran with.
AGORA_RATE_ANON = env.str("AGORA_RATE_ANON", default="1000/min") or None
AGORA_RATE_USER = env.str("AGORA_RATE_USER", default="5000/min") or None
# Where the links in account e-mails point (activation, password reset): the front end that
# posts their uid and token to the API. By default the API's own address.
AGORA_FRONTEND_URL = env.str("AGORA_FRONTEND_URL", default="http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servicelayer.rest.authentication.FastTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "servicelayer.rest.renderers.ORJSONRenderer",
        "servicelayer.rest.browsable.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "servicelayer.rest.parsers.ORJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "servicelayer.rest.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "servicelayer.rest.negotiation.FastContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The client's address is REMOTE_ADDR (0: X-Forwarded-For, which anyone can send, is not
    # trusted). Behind N reverse proxies that each append to X-Forwarded-For, set N.
    "NUM_PROXIES": env.int("AGORA_NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_CLASSES": [
        "servicelayer.rest.throttles.AnonRate",
        "servicelayer.rest.throttles.UserRate",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": AGORA_RATE_ANON, "user": AGORA_RATE_USER},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": (
        "A shop and a travel desk. Every write is one application service; see the service "
        "catalog at /api/services/. Errors share one body: "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Pydantic emits JSON Schema 2020-12 (nullable as `type: null`), which is OpenAPI 3.1
    "OAS_VERSION": "3.1.0",
    # the docs pages' JavaScript and CSS come from drf_spectacular_sidecar, as static files
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI keeps the token given to Authorize across reloads of the page
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True},
}

# Celery. No broker: tasks run in process (eagerly), as in tests and a bare `manage.py`.
# `make run` starts a worker and beat on `filesystem://`, the embedded broker: message files
# under var/broker (or `filesystem:///a/folder`), see servicelayer.filebroker. Redis or
# RabbitMQ by their URLs. docs/operations.md says what each one guarantees.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_FOLDER = Path(CELERY_BROKER_URL.removeprefix("filesystem://") or BASE_DIR / "var/broker")
    CELERY_BROKER_TRANSPORT = "servicelayer.filebroker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# While an event relay task is queued and not started, commits that write events publish no
# other (servicelayer.events._enqueue_relay): a flag in the default cache for this many
# seconds at most, cleared by the task. The flag must be shared by the web processes and the
# workers, and cheaper than a publish: on by default only with a broker and a Redis or
# Memcached cache; 0: every commit publishes (the embedded default's per-process cache, tasks
# in process, or a database cache, whose add costs round trips of its own). The lifetime
# bounds how long events wait when a clear or a publish is lost (a Redis blip, a worker whose
# settings differ): then the next commit after it publishes; the sweep remains the backstop.
_FAST_SHARED_CACHE = any(
    kind in CACHES["default"]["BACKEND"].lower() for kind in ("redis", "memcache")
)
AGORA_RELAY_PENDING_SECONDS = env.int(
    "AGORA_RELAY_PENDING_SECONDS", default=5 if CELERY_BROKER_URL and _FAST_SHARED_CACHE else 0
)
# A task is acknowledged when it is done, not when it starts: one whose pool process died (a
# crash, the OOM killer) goes back on the queue and runs again, so tasks must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acks a prefetched message waits behind a long task: take one at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TIMEZONE = "UTC"
# When each periodic job last ran, so a restarted beat neither skips nor repeats one.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var/celerybeat-schedule")
)
# Periodic jobs are services too: beat sends them to the generic task by name.
CELERY_BEAT_SCHEDULE = {
    "expire-unpaid-orders": {
        "task": "servicelayer.run_service",
        "schedule": 60.0,
        "args": ["order_expire_unpaid"],
    },
    "expire-unpaid-bookings": {
        "task": "servicelayer.run_service",
        "schedule": 60.0,
        "args": ["booking_expire_unpaid"],
    },
    "settle-stale-payments": {
        "task": "servicelayer.run_service",
        "schedule": 60.0,
        "args": ["payment_settle_stale"],
    },
    "retry-pending-refunds": {
        "task": "servicelayer.run_service",
        "schedule": 300.0,
        "args": ["payment_retry_refunds"],
    },
    "reconcile-bookings": {
        "task": "servicelayer.run_service",
        "schedule": 60.0,
        "args": ["booking_reconcile"],
    },
    # publishes events a crash left unpublished (each commit that writes events enqueues it too)
    "relay-events": {
        "task": "servicelayer.run_service",
        "schedule": 30.0,
        "args": ["event_relay"],
    },
    # retries of webhook deliveries whose time has come, and deliveries whose task was lost
    "deliver-due-webhooks": {
        "task": "servicelayer.run_service",
        "schedule": 30.0,
        "args": ["webhook_deliver_due"],
    },
    # sends the e-mails a failed attempt or a lost task left queued (each is enqueued at once)
    "send-due-mails": {
        "task": "servicelayer.run_service",
        "schedule": 60.0,
        "args": ["mail_send_due"],
    },
    "purge-idempotency-keys": {
        "task": "servicelayer.run_service",
        "schedule": 3600.0,
        "args": ["idempotency_keys_purge"],
    },
    "purge-expired-tokens": {
        "task": "servicelayer.run_service",
        "schedule": 3600.0,
        "args": ["token_purge_expired"],
    },
    "purge-unactivated-accounts": {
        "task": "servicelayer.run_service",
        "schedule": 3600.0,
        "args": ["account_purge_unactivated"],
    },
}

if not DEBUG:
    # Behind a TLS-terminating proxy that sets (never passes on) X-Forwarded-Proto, a request
    # with `X-Forwarded-Proto: https` came over HTTPS. Without such a proxy anyone could send
    # the header: set DJANGO_TRUST_X_FORWARDED_PROTO=false, and only a request that reached
    # the server itself over TLS is secure. Plain HTTP is redirected to HTTPS either way
    # (DJANGO_SECURE_SSL_REDIRECT). gunicorn's own header handling is off (ops/gunicorn.conf.py)
    # so that this is the one place that decides.
    if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes over plain HTTP, without X-Forwarded-Proto: answer, not redirect.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Joining browsers' preload list is hard to undo and the list takes only a max-age of a
    # year or more: an operator opts in, once HSTS has run without trouble.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS < 60 * 60 * 24 * 365:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_HSTS_PRELOAD=true needs DJANGO_SECURE_HSTS_SECONDS of at least "
            "31536000 (a year): the preload list refuses a shorter max-age."
        )
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "not preloaded": a decision, see above
    # Hashed, compressed files that whitenoise serves: collected by `make collectstatic`.
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# Logs: JSON lines (LOG_FORMAT=json, the default when DEBUG is off, for a log collector) or
# human-readable text (LOG_FORMAT=text, the default in DEBUG). Every record carries the
# request id (servicelayer.logging_setup); one access line per request, and a WARNING
# "slow request" line for a request that took longer than SLOW_REQUEST_MS.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
SLOW_REQUEST_MS = env.int("SLOW_REQUEST_MS", default=500)
# Each readiness check (database, cache, broker) fails after this long without an answer.
HEALTH_CHECK_TIMEOUT_SECONDS = env.float("HEALTH_CHECK_TIMEOUT_SECONDS", default=2.0)
LOGGING_CONFIG = "servicelayer.logging_setup.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "servicelayer.logging_setup.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id_of_request": {"()": "servicelayer.logging_setup.RequestIdOfRequest"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id_of_request"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Through the root handler, in the same format, and only once (Django's default
        # LOGGING gives `django` a console handler of its own).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's own access lines: servicelayer.access writes them already.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
