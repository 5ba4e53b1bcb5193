"""Evaluate config/settings.py under a chosen environment, without touching the loaded settings."""

import os
import runpy
from pathlib import Path
from typing import Any
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
PRODUCTION_KEY = "a-long-random-production-secret-" + "k7Qz9" * 8
# Variables the settings read that a developer's shell or .env might set: each test says its own.
_CLEARED = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_PRELOAD",
)


def settings_under(**env: str) -> dict[str, Any]:
    """The settings module's names as it computes them with these environment variables."""
    base = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    with mock.patch.dict(os.environ, base | env, clear=True):
        return runpy.run_path(str(SETTINGS_FILE))


def production_settings(**env: str) -> dict[str, Any]:
    return settings_under(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=PRODUCTION_KEY, **env)
