"""The Celery app. Tasks are delivery only: they run registered services (servicelayer.tasks)."""

import os

from celery import Celery

from servicelayer.logging_setup import connect_celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["servicelayer"])
connect_celery()  # the project's logging in workers; request ids carried into tasks
