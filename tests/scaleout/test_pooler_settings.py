"""Settings for PgBouncer in transaction pooling, and the named trust in X-Forwarded-Proto."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_env import production_settings, settings_under

POSTGRES = "postgres://postgres@127.0.0.1:6432/agora"


def test_without_a_pooler_the_database_entry_is_left_as_django_makes_it():
    database = settings_under(DATABASE_URL=POSTGRES, DATABASE_POOLER="")["DATABASES"]["default"]
    assert "DISABLE_SERVER_SIDE_CURSORS" not in database
    assert "prepare_threshold" not in database.get("OPTIONS", {})


def test_pgbouncer_turns_off_what_transaction_pooling_cannot_carry():
    database = settings_under(DATABASE_URL=POSTGRES, DATABASE_POOLER="pgbouncer")["DATABASES"][
        "default"
    ]
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None
    assert database["OPTIONS"]["server_side_binding"] is False


def test_an_unknown_pooler_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER"):
        settings_under(DATABASE_URL=POSTGRES, DATABASE_POOLER="pgpool")


def test_production_trusts_x_forwarded_proto_unless_told_not_to():
    trusted = production_settings(DJANGO_TRUST_X_FORWARDED_PROTO="true")
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert "SECURE_PROXY_SSL_HEADER" not in production_settings(
        DJANGO_TRUST_X_FORWARDED_PROTO="false"
    )
    # plain HTTP is redirected either way
    assert production_settings(DJANGO_TRUST_X_FORWARDED_PROTO="false")["SECURE_SSL_REDIRECT"]
