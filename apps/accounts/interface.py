"""Accounts' public interface: API tokens for deliveries that are not the API (demo data,
benchmarks), and where to write to a user (notifications). Plain data only; the key is in the
result because it is shown once."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.accounts.models import ApiToken
from apps.accounts.services import issue_token as _issue
from servicelayer.users import user_by_username

__all__ = ["Contact", "IssuedToken", "contact_of", "issue_token"]


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
