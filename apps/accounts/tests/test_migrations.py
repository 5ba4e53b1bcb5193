"""DRF's tokens move into ApiToken as hashes: existing clients keep working, the plaintext
keys are gone."""

import importlib

from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from servicelayer.rest.authentication import FastTokenAuthentication

move = importlib.import_module("apps.accounts.migrations.0002_move_drf_tokens")


class Editor:
    connection = connection


def test_drf_tokens_are_moved_as_hashes_and_their_table_dropped(make_user):
    user = make_user("legacy")
    key = "0123456789abcdef0123456789abcdef01234567"  # DRF's: 40 hex characters
    stamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created {stamp} "
            "NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [key, connection.ops.adapt_datetimefield_value(timezone.now()), user.pk],
        )
    MigrationRecorder(connection).record_applied("authtoken", "0001_initial")

    move.move_drf_tokens(apps, Editor())

    authenticated, _ = FastTokenAuthentication().authenticate_credentials(key)
    assert authenticated.pk == user.pk
    token = user.api_tokens.get(prefix=key[:8])
    assert token.expires_at > timezone.now()
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()


def test_without_drf_tokens_there_is_nothing_to_move(db):
    move.move_drf_tokens(apps, Editor())
