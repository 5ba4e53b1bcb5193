"""Settings of the bare floor: only what its views need. No installed apps, no sessions, no
auth, no DRF, no logging middleware; CommonMiddleware alone, as a plain Django site has."""

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-bare-" + "x" * 50)
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
USE_TZ = True
TIME_ZONE = "UTC"
AGORA_CURRENCY = env("AGORA_CURRENCY", default="EUR")
MEDIA_URL = env("DJANGO_MEDIA_URL", default="/media/")  # images' URLs, as Agora's storage
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
