"""API tokens: several per user, each with a lifetime; only a hash of the key is kept. And
registrations that await their activation.

The toolkit authenticates requests with this model (SERVICELAYER_TOKEN_MODEL): see
servicelayer.tokens for the fields it reads.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicelayer.tokens import hash_key, new_key

PREFIX_LENGTH = 8


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    # the key's first characters, so that its owner can tell it apart in a list
    prefix = models.CharField(max_length=PREFIX_LENGTH, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="apitoken_expires_at")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @classmethod
    def issue(
        cls, *, user_id: int, name: str, lifetime: timedelta | None
    ) -> tuple["ApiToken", str]:
        """A new token and its key: the only moment the key is known."""
        key, now = new_key(), timezone.now()
        expires: datetime | None = now + lifetime if lifetime is not None else None
        token = cls.objects.create(
            user_id=user_id,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_key(key),
            created_at=now,
            expires_at=expires,
        )
        return token, key


class PendingRegistration(models.Model):
    """A self-registered account not activated yet (the user is inactive until then). It is
    what tells such an account from one that staff deactivated: only a pending account may be
    activated by a link, so a deactivated user cannot register again to come back.

    A pending account with no e-mail address only holds a username: one registered with an
    address that had an account already, held alike so that registering the name again tells
    nothing of that address (see `account_register`). No link is ever mailed for it, its
    password is unusable, and it is purged with the other unactivated accounts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_registration"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"pending since {self.created_at:%Y-%m-%d %H:%M}"
