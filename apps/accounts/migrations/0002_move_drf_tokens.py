"""Move DRF's tokens (rest_framework.authtoken, plaintext keys) into ApiToken as hashes.

Clients keep their keys until the tokens expire, AGORA_TOKEN_LIFETIME_DAYS after this
migration; then DRF's table, which holds the keys in plaintext, is dropped and its migration
records forgotten (the app is no longer installed). A database that never had DRF's tokens
has nothing to move.
"""

import hashlib
from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

DRF_TABLE = "authtoken_token"


def _aware(value):
    if isinstance(value, str):  # SQLite
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def move_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "AGORA_TOKEN_LIFETIME_DAYS", 30)
    expires = timezone.now() + timedelta(days=days) if days > 0 else None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {DRF_TABLE}")
        rows = cursor.fetchall()
    ApiToken.objects.using(connection.alias).bulk_create(
        ApiToken(
            user_id=user_id,
            name="moved from DRF's tokens",
            prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            created_at=_aware(created),
            expires_at=expires,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {DRF_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_api_token")]

    # the plaintext keys are gone: there is nothing to move back
    operations = [migrations.RunPython(move_drf_tokens, migrations.RunPython.noop)]
