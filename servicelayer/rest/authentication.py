"""Token authentication (`Authorization: Token <key>`, or `Bearer <key>`) in one SQL statement.

`Bearer` is the standard scheme (RFC 6750) that OpenAPI tools speak: the API documents it as
HTTP bearer, so Swagger UI's Authorize dialog and generated clients take the bare key. `Token`
is DRF's own keyword, kept for the clients and examples that use it.

The token lives in the project's model (see servicelayer.tokens); a request finds it by the
hash of its key. One statement joins the token to its user and says whether the token is
still alive and whether its `last_used_at` is stale; the user is built with `from_db` from the
columns authentication and permissions need (the rest load on access). `last_used_at` is
written by a second statement only when it is older than TOUCH_EVERY, so a typical request
costs one query and a busy token one write a minute. No cache: a revoked token stops working
at once.

The authenticated user carries `api_token_id`, the id of the token it came with (so that
signing out revokes that one token); `request.auth` is the same id.
"""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from servicelayer.tokens import MAX_KEY_LENGTH, REQUIRED_FIELDS, TOUCH_EVERY, hash_key, token_model

KEYWORDS = frozenset({b"token", b"bearer"})
WANTED = frozenset({"id", "username", "is_active", "is_staff", "is_superuser"})


@cache
def _plan() -> tuple[str, str, list[Any]]:
    """The look-up and touch SQL, and the user fields selected in the model's own order (as
    from_db wants)."""
    tokens, user_model = token_model(), get_user_model()
    try:
        column = {name: tokens._meta.get_field(name).column for name in REQUIRED_FIELDS}
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(f"SERVICELAYER_TOKEN_MODEL: {exc}") from None
    fields = [f for f in user_model._meta.concrete_fields if f.attname in WANTED]
    q = connection.ops.quote_name
    pk, token_pk = user_model._meta.pk, tokens._meta.pk
    assert pk is not None
    assert token_pk is not None
    expires, last_used = q(column["expires_at"]), q(column["last_used_at"])
    columns = ", ".join(f"u.{q(f.column)}" for f in fields)
    look_up = (
        f"SELECT {columns}, t.{q(token_pk.column)}, "
        f"(t.{expires} IS NULL OR t.{expires} > %s), "
        f"(t.{last_used} IS NULL OR t.{last_used} < %s) "
        f"FROM {q(tokens._meta.db_table)} t "
        f"JOIN {q(user_model._meta.db_table)} u ON u.{q(pk.column)} = t.{q(column['user'])} "
        f"WHERE t.{q(column['key_hash'])} = %s"
    )
    touch = (
        f"UPDATE {q(tokens._meta.db_table)} SET {last_used} = %s WHERE {q(token_pk.column)} = %s"
    )
    return look_up, touch, fields


class FastTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, int] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in KEYWORDS:
            return None  # another scheme (or none): another authenticator's, or anonymous
        if len(auth) != 2:
            raise AuthenticationFailed(
                "Invalid token header: send `Authorization: Token <key>` (or `Bearer <key>`)."
            )
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("Invalid token header: the key is not text.") from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[Any, int]:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise AuthenticationFailed("Invalid token.")
        look_up, touch, fields = _plan()
        now = timezone.now()
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(look_up, [adapt(now), adapt(now - TOUCH_EVERY), hash_key(key)])
            row = cursor.fetchone()
            if row is None:
                raise AuthenticationFailed("Invalid token.")
            *user_values, token_id, alive, stale = row
            if not alive:
                raise AuthenticationFailed("Token has expired.")
            values = [f.to_python(v) for f, v in zip(fields, user_values, strict=True)]
            user: Any = get_user_model().from_db(
                connection.alias, [f.attname for f in fields], values
            )
            if not user.is_active:
                raise AuthenticationFailed("User inactive or deleted.")
            if stale:
                cursor.execute(touch, [adapt(now), token_id])
        user.api_token_id = token_id
        return user, token_id
