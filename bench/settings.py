"""Settings for benchmarking: production-like (no debug), the baselines' URLs mounted."""

from config.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
