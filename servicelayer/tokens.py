"""API token keys: made here, stored only as a hash, in a model the project names.

The project owns the table (`SERVICELAYER_TOKEN_MODEL = "app_label.Model"`, as
AUTH_USER_MODEL names the user model) and may add what it likes to it; the toolkit needs these
fields, which `servicelayer.rest.authentication` reads in one statement:

- `user`: a foreign key to the user model;
- `key_hash`: `hash_key(key)`, unique (the key itself is shown once and never stored);
- `expires_at`: a datetime, or NULL for never;
- `last_used_at`: a datetime or NULL, refreshed at most once per `TOUCH_EVERY`.

A key is random (256 bits): a fast unsalted hash is enough to make a leaked table useless, and
lets a request find its token by an indexed equality.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings

# Keys are 43 characters (`token_urlsafe(32)`); DRF's were 40. Anything longer is not a key.
MAX_KEY_LENGTH = 64
REQUIRED_FIELDS = ("user", "key_hash", "expires_at", "last_used_at")
# How stale `last_used_at` may be: a token is written at most once per this, not per request.
TOUCH_EVERY = timedelta(minutes=1)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_model() -> Any:
    """The model SERVICELAYER_TOKEN_MODEL names."""
    return apps.get_model(settings.SERVICELAYER_TOKEN_MODEL, require_ready=False)
