"""Production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_env import PRODUCTION_KEY, production_settings, settings_under

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy():
    env = os.environ | {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": PRODUCTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "agora.example",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PAYMENT_GATEWAY": "dummy",  # production chooses its gateway (else agora.W001)
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_development_defaults_do_not_pass_check_deploy():
    env = os.environ | {"DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    # what django.setup() meets when it loads the settings (check --deploy above starts Django)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        settings_under(DJANGO_DEBUG="false")


def test_production_refuses_the_development_key():
    development_key = settings_under(DJANGO_DEBUG="true")["SECRET_KEY"]
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        settings_under(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=development_key)


def test_production_starts_with_a_secret_key():
    assert production_settings()["DEBUG"] is False


def test_development_needs_no_secret_key():
    assert settings_under(DJANGO_DEBUG="true")["SECRET_KEY"]


def test_hsts_is_not_preloaded_by_default():
    production = production_settings()
    assert production["SECURE_HSTS_SECONDS"] == 60 * 60 * 24 * 30
    assert production["SECURE_HSTS_PRELOAD"] is False


def test_hsts_preload_is_an_opt_in_that_needs_a_year():
    production = production_settings(
        DJANGO_SECURE_HSTS_SECONDS="31536000", DJANGO_SECURE_HSTS_PRELOAD="true"
    )
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert (
        production_settings(DJANGO_SECURE_HSTS_SECONDS="31536000")["SECURE_HSTS_PRELOAD"] is False
    )


def test_hsts_preload_with_less_than_a_year_refuses_to_start():
    # The preload list refuses a shorter max-age: sending `preload` with it only misleads.
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECURE_HSTS_SECONDS"):
        production_settings(DJANGO_SECURE_HSTS_PRELOAD="true")
