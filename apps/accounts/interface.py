"""Accounts' public interface: API tokens for deliveries that are not the API (demo data,
benchmarks), where to write to a user, and the one-time links of account mails
(notifications). Plain data only; the key is in the result because it is shown once."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.accounts import links
from apps.accounts.models import ApiToken, PendingRegistration
from apps.accounts.services import issue_token as _issue
from servicelayer.users import user_by_username

__all__ = [
    "AccountLink",
    "Contact",
    "IssuedToken",
    "activation_link",
    "contact_of",
    "issue_token",
    "password_reset_link",
]


@dataclass(frozen=True)
class IssuedToken:
    id: int
    key: str
    expires_at: datetime | None


def issue_token(*, username: str, name: str, replace: bool = False) -> IssuedToken:
    """A new API token for `username`. With `replace`, the user's earlier tokens of the same
    name are revoked with it (a rotation: one "demo" token per user, not one per run)."""
    user = user_by_username(username)
    with transaction.atomic():
        if replace:
            ApiToken.objects.filter(user=user, name=name).delete()
        token, key = _issue(user, name)
    return IssuedToken(id=token.pk, key=key, expires_at=token.expires_at)


@dataclass(frozen=True)
class Contact:
    """Where to write to a user, and the name to greet them by."""

    email: str  # empty: the user gave none
    username: str


def contact_of(user_id: int) -> Contact | None:
    """The user's e-mail address and username; None if there is no such user."""
    row = get_user_model().objects.filter(pk=user_id).values("email", "username").first()
    return None if row is None else Contact(email=row["email"], username=row["username"])


@dataclass(frozen=True)
class AccountLink:
    """A one-time link for an account mail: its URL, the `uid` and `token` it carries (for a
    client without a front end), and how long it works, in words."""

    url: str
    uid: str
    token: str
    valid_for: str


def _link(path: str, user: Any, token: str) -> AccountLink:
    url, params = links.link(path, user, token)
    return AccountLink(url=url, valid_for=links.valid_for(), **params)


def activation_link(user_id: int) -> AccountLink | None:
    """A fresh activation link for the account, made now from its state (nothing is stored);
    None if it no longer awaits activation (activated, deactivated by staff, purged) or has no
    address."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=False)
        .filter(pk__in=PendingRegistration.objects.values("user_id"))
        .exclude(email="")
        .first()
    )
    if user is None:
        return None
    return _link(links.ACTIVATE_PATH, user, links.activation_tokens.make_token(user))


def password_reset_link(user_id: int) -> AccountLink | None:
    """A fresh password reset link for the account, made now from its state (nothing is
    stored); None if it is no longer active or has no usable password."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    return _link(links.RESET_PATH, user, links.reset_tokens.make_token(user))
