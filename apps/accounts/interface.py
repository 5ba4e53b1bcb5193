"""Accounts' public interface: API tokens for deliveries that are not the API (demo data,
benchmarks). Plain data only; the key is in the result because it is shown once."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from apps.accounts.models import ApiToken
from apps.accounts.services import issue_token as _issue
from servicelayer.users import user_by_username

__all__ = ["IssuedToken", "issue_token"]


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
