"""The one-time links in account e-mails (activation, password reset).

A link carries the user's id in base 64 (`uid`) and a token from one of Django's token
generators (an HMAC of the user's state and a timestamp, signed with SECRET_KEY; nothing is
stored). A token is valid for PASSWORD_RESET_TIMEOUT seconds and only while the state it was
made from holds:

- activation: the account's `is_active` is in the hash, so the link stops working once it has
  activated the account;
- password reset: Django's `default_token_generator` hashes the password (and last_login),
  so the link stops working once it has set a password (or the password changed otherwise).

The links point at AGORA_FRONTEND_URL (`/activate?uid=..&token=..`,
`/reset-password?uid=..&token=..`): a front end posts the uid and token to the API. The mails
also show both, for clients without a front end.

The mails themselves are apps/notifications' (from the events `account.registration_asked` and
`account.password_reset_asked`); it asks for a link through the interface
(`activation_link`, `password_reset_link`) when it sends the mail, so that no live token is
stored anywhere: neither in the event nor in the mail's row.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from servicelayer.dto import MAX_DB_INT

ACTIVATE_PATH = "/activate"
RESET_PATH = "/reset-password"


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "agora.accounts.activation"  # an activation token is never a reset token

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        # is_active: the account's activation changes the hash, so the link works once
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_tokens = ActivationTokenGenerator()
reset_tokens: PasswordResetTokenGenerator = default_token_generator


def uid_of(user: Any) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_id_of(uid: str) -> int | None:
    """The user id a link's uid names, or None if it names none that could exist."""
    try:
        user_id = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return user_id if 1 <= user_id <= MAX_DB_INT else None


def link(path: str, user: Any, token: str) -> tuple[str, dict[str, str]]:
    """The link's URL under AGORA_FRONTEND_URL, and its parameters (`uid`, `token`)."""
    params = {"uid": uid_of(user), "token": token}
    return f"{settings.AGORA_FRONTEND_URL}{path}?{urlencode(params)}", params


def valid_for() -> str:
    """How long a link works, in words."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"
