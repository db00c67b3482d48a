"""reidsite settings, read from environment variables.

Every value has a safe development default, so `make demo` runs with no configuration.
Production deployments set DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS.
A malformed value stops start-up with a message naming the variable.
"""

import datetime as dt
import math
import os
from pathlib import Path
from typing import overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {value!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ImproperlyConfigured(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.strip().lower() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value.strip().lower()


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("REIDSITE_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "storages",
    "axes",
    "identification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A lost database connection is a 503 page, not a 500.
    "reidsite.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reidsite.urls"
WSGI_APPLICATION = "reidsite.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Seconds a process keeps its connection (0: one per request). docker-compose.yml
        # keeps them 60 s: a new PostgreSQL connection per request costs both sides CPU.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        conn_health_checks=True,  # a kept connection PostgreSQL dropped is replaced, not a 500
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server and a worker process against one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A file, not :memory:, so a Celery worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in throttling (django-axes): after REIDSITE_LOGIN_FAILURE_LIMIT wrong passwords for
# one user name from one address, that pair is locked out for REIDSITE_LOGIN_LOCKOUT_MINUTES
# after its last failure; a success resets the count. The axes backend comes first: it
# refuses a locked-out pair before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("REIDSITE_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("REIDSITE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "identification.views.accounts.locked_out"
# Behind N reverse proxies the client's address is the N-th from the right of
# X-Forwarded-For; 0 (direct connections) uses REMOTE_ADDR. Wrong here, every user shares
# the proxy's address and one attacker can lock a user name out for everyone.
REIDSITE_TRUSTED_PROXIES = env_int("REIDSITE_TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "identification.views.accounts.client_ip"
# Who may create projects: "staff" (Django staff users, e.g. the demo user) or "any" user.
REIDSITE_PROJECT_CREATORS = env_choice("REIDSITE_PROJECT_CREATORS", "staff", {"any", "staff"})

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Storage: local files by default, S3 (or MinIO) when a bucket is configured.
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
    AWS_QUERYSTRING_AUTH = True
    AWS_DEFAULT_ACL = None
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads stream to temporary files: a 2 GB memory-card zip never sits in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR")
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 5000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Ingest limits.
REIDSITE_MAX_IMAGE_BYTES = env_int("REIDSITE_MAX_IMAGE_BYTES", 60 * 1024 * 1024, minimum=1)
REIDSITE_MAX_UPLOAD_BYTES = env_int("REIDSITE_MAX_UPLOAD_BYTES", 2 * 1024**3 + 64 * 1024**2)
REIDSITE_MAX_IMAGE_PIXELS = env_int("REIDSITE_MAX_IMAGE_PIXELS", 120_000_000, minimum=1)
REIDSITE_THUMBNAIL_SIZE = env_int("REIDSITE_THUMBNAIL_SIZE", 480, minimum=32)
REIDSITE_REVIEW_CLAIM_SECONDS = env_int("REIDSITE_REVIEW_CLAIM_SECONDS", 120, minimum=1)
REIDSITE_CALIBRATION_REFIT_EVERY = env_int("REIDSITE_CALIBRATION_REFIT_EVERY", 50, minimum=1)
# Gallery images queried against the rest of the gallery to calibrate a project before (and
# besides) its experts' decisions; about a second or two each on a CPU.
REIDSITE_CALIBRATION_PSEUDO_QUERIES = env_int("REIDSITE_CALIBRATION_PSEUDO_QUERIES", 80, minimum=1)
# Fine-tuning each project's global descriptor on its confirmed individuals
# (identification/services/global_models.py): the first training once
# REIDSITE_TRAIN_MIN_INDIVIDUALS individuals have two or more confirmed images, then again
# after every REIDSITE_TRAIN_AFTER_CONFIRMATIONS new gallery images. A training stops at
# REIDSITE_TRAIN_MINUTES (20 min for a 700-image gallery on a 2-core CPU, docs/benchmarks.md);
# one whose epochs stopped for REIDSITE_TRAIN_STALLED_MINUTES lost its worker and is taken up
# again by the sweeper.
REIDSITE_TRAINING = env_bool("REIDSITE_TRAINING", True)
REIDSITE_TRAIN_MIN_INDIVIDUALS = env_int("REIDSITE_TRAIN_MIN_INDIVIDUALS", 20, minimum=2)
REIDSITE_TRAIN_AFTER_CONFIRMATIONS = env_int("REIDSITE_TRAIN_AFTER_CONFIRMATIONS", 100, minimum=1)
REIDSITE_TRAIN_MINUTES = env_float("REIDSITE_TRAIN_MINUTES", 18, minimum=0.1)
REIDSITE_TRAIN_MAX_EPOCHS = env_int("REIDSITE_TRAIN_MAX_EPOCHS", 30, minimum=0)
REIDSITE_TRAIN_IMAGE_SIZE = env_int("REIDSITE_TRAIN_IMAGE_SIZE", 224, minimum=32)
REIDSITE_TRAIN_FROZEN_FRACTION = env_float("REIDSITE_TRAIN_FROZEN_FRACTION", 0.0, minimum=0.0)
REIDSITE_TRAIN_STALLED_MINUTES = env_float("REIDSITE_TRAIN_STALLED_MINUTES", 15, minimum=0.05)
# Points on the matcher page's embedding map (the most recent gallery images, then pending).
REIDSITE_EMBEDDING_MAP_POINTS = env_int("REIDSITE_EMBEDDING_MAP_POINTS", 1500, minimum=10)
# The global descriptor: a timm model name such as "hf-hub:BVRA/MegaDescriptor-L-384"; unset
# means the offline ImageNet EfficientNet-Lite0. REIDSITE_GLOBAL_CHECKPOINT loads that
# architecture's weights from a local file (.pth/.safetensors) instead of downloading them.
REIDSITE_GLOBAL_MODEL = env_str("REIDSITE_GLOBAL_MODEL")
REIDSITE_GLOBAL_CHECKPOINT = env_str("REIDSITE_GLOBAL_CHECKPOINT")
if REIDSITE_GLOBAL_CHECKPOINT and not Path(REIDSITE_GLOBAL_CHECKPOINT).is_file():
    raise ImproperlyConfigured(
        f"REIDSITE_GLOBAL_CHECKPOINT must be an existing file, got {REIDSITE_GLOBAL_CHECKPOINT!r}"
    )
if REIDSITE_GLOBAL_CHECKPOINT and not REIDSITE_GLOBAL_MODEL:
    raise ImproperlyConfigured(
        "REIDSITE_GLOBAL_CHECKPOINT needs REIDSITE_GLOBAL_MODEL (its architecture)"
    )
# MegaDetector weights (e.g. md_v5a.0.0.pt, docs/detection.md), a local file: projects on
# "auto" detect with it when set, with motion between burst frames when not.
REIDSITE_DETECTOR_WEIGHTS = env_str("REIDSITE_DETECTOR_WEIGHTS")
if REIDSITE_DETECTOR_WEIGHTS and not Path(REIDSITE_DETECTOR_WEIGHTS).is_file():
    raise ImproperlyConfigured(
        f"REIDSITE_DETECTOR_WEIGHTS must be an existing file, got {REIDSITE_DETECTOR_WEIGHTS!r}"
    )
# Skip the re-ID stage after ingest (useful for ingest benchmarks and light demo hosts).
REIDSITE_ENABLE_REID = env_bool("REIDSITE_ENABLE_REID", True)

# Celery: Redis in production; an embedded filesystem broker by default so the demo
# needs no Redis. Both queues exist either way.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
# Redis hands an unacknowledged (acks_late) task to another worker after this many seconds:
# a killed worker's task comes back then. It must outlast the longest hard time limit, or a
# task still running would be handed out twice: the catalogue import's 2 h 5 min
# (worker/tasks/catalogue.py), plus 5 min; tests/infra checks every task against it. Stalled
# work is re-queued sooner by the sweeper (REIDSITE_SWEEP_*, below).
REIDSITE_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600 + 600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REIDSITE_VISIBILITY_TIMEOUT}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = "cpu"
# Priorities within a queue (Redis: 0 is served first; kombu's steps are 0, 3, 6, 9): what an
# expert waits for (a confirmation reaching the gallery, a re-drawn box, the decision
# counter, the sweeper) goes before calibration, which goes before batch work. Batch tasks
# re-queue themselves every REIDSITE_BATCH_SLICE_SECONDS, so a gallery update waits at most
# about that long behind them. The demo's filesystem broker has no priorities: there
# process_batch extracts the gallery's waiting images before matching (worker/tasks/reid.py).
PRIORITY_NOW, PRIORITY_SOON, PRIORITY_BATCH = 0, 3, 6
CELERY_TASK_ROUTES = {
    # Training takes up to REIDSITE_TRAIN_MINUTES: its own queue, served by its own worker
    # process on the GPU machine, so no gallery update waits behind it. Re-embedding after a
    # deployment is batch work on the gpu queue.
    "worker.tasks.training.train_global_model": {"queue": "train", "priority": PRIORITY_BATCH},
    "worker.tasks.training.*": {"queue": "gpu", "priority": PRIORITY_BATCH},
    "worker.tasks.reid.update_gallery": {"queue": "gpu", "priority": PRIORITY_NOW},
    "worker.tasks.reid.match": {"queue": "gpu", "priority": PRIORITY_NOW},
    "worker.tasks.reid.calibrate_from_gallery": {"queue": "gpu", "priority": PRIORITY_SOON},
    "worker.tasks.reid.*": {"queue": "gpu", "priority": PRIORITY_BATCH},
    "worker.tasks.detection.*": {"queue": "gpu", "priority": PRIORITY_BATCH},
    "worker.tasks.bookkeeping.count_decision": {"queue": "cpu", "priority": PRIORITY_NOW},
    "worker.tasks.bookkeeping.*": {"queue": "cpu", "priority": PRIORITY_SOON},
    "worker.tasks.sweeper.*": {"queue": "cpu", "priority": PRIORITY_NOW},
    "worker.tasks.*": {"queue": "cpu", "priority": PRIORITY_BATCH},
}
REIDSITE_BATCH_SLICE_SECONDS = env_float("REIDSITE_BATCH_SLICE_SECONDS", 10, minimum=0.1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The sweeper (identification/services/sweeper.py), sent every REIDSITE_SWEEP_INTERVAL_SECONDS
# by celery beat: a batch whose ingest or matching has made no progress for
# REIDSITE_SWEEP_STALLED_MINUTES, with no message waiting in its queue, has its work queued
# again; after REIDSITE_SWEEP_MAX_RETRIES such retries without progress it is given up
# (failed, with a message). Fractions of a minute are allowed (the fault-injection tests).
REIDSITE_SWEEP_INTERVAL_SECONDS = env_float("REIDSITE_SWEEP_INTERVAL_SECONDS", 60, minimum=1)
REIDSITE_SWEEP_STALLED_MINUTES = env_float("REIDSITE_SWEEP_STALLED_MINUTES", 10, minimum=0.05)
REIDSITE_SWEEP_MAX_RETRIES = env_int("REIDSITE_SWEEP_MAX_RETRIES", 3, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stalled-batches": {
        "task": "worker.tasks.sweeper.sweep_stalled_batches",
        "schedule": REIDSITE_SWEEP_INTERVAL_SECONDS,
        # A sweep that waited longer than an interval (a busy cpu worker) is dropped unrun:
        # the next one is on its way, so sweeps never pile up.
        "options": {"expires": REIDSITE_SWEEP_INTERVAL_SECONDS},
    }
}

# Production hardening; `manage.py check --deploy` passes with DEBUG=0.
SECURE_HSTS_PRELOAD = False
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS preload is a per-domain decision a self-hosting site makes when it submits itself to the
# browsers' preload list; the header alone is harmless, so only the reminder is silenced.
SILENCED_SYSTEM_CHECKS = env_list(
    "SILENCED_SYSTEM_CHECKS", [] if DEBUG or SECURE_HSTS_PRELOAD else ["security.W021"]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # faiss reports every CPU-feature probe it makes at INFO.
    "loggers": {"faiss.loader": {"level": "WARNING"}},
}
