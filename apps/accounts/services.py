"""Accounts: signing in and out with API tokens, your tokens, and users created by operators.

A token's key is shown once, when it is issued, and stored only as a hash; each sign-in issues
a new token, valid for AGORA_TOKEN_LIFETIME_DAYS. Passwords set here pass Django's validators
(AUTH_PASSWORD_VALIDATORS), with the user's own attributes for the similarity check.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.dto import (
    Credentials,
    IssuedTokenOut,
    NewToken,
    NewUser,
    TokenOut,
    TokenRef,
    UserOut,
)
from apps.accounts.errors import InvalidCredentials, TokenNotFound, UsernameTaken
from apps.accounts.models import ApiToken
from apps.roles import ANYONE, SHOPPER, SYSTEM
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.registry import service
from servicelayer.users import user_by_username


def token_lifetime() -> timedelta | None:
    days = settings.AGORA_TOKEN_LIFETIME_DAYS
    return timedelta(days=days) if days > 0 else None


def issue_token(user: Any, name: str) -> tuple[ApiToken, str]:
    return ApiToken.issue(user_id=user.pk, name=name, lifetime=token_lifetime())


@service(role=ANYONE, errors=[InvalidCredentials], atomic=True)
def token_obtain(*, data: Credentials) -> TokenOut:
    """Sign in: exchange a username and password for a new API token (shown this once)."""
    user = authenticate(username=data.username, password=data.password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    token, key = issue_token(user, data.token_name)
    return TokenOut(
        token=key,
        token_id=token.pk,
        expires_at=token.expires_at,
        username=user.get_username(),
        is_staff=user.is_staff,
    )


@service(role=SHOPPER, atomic=True)
def token_revoke(*, actor: Any) -> None:
    """Sign out: the API token this request came with stops working (your others do not)."""
    token_id = getattr(actor, "api_token_id", None)  # None: signed in otherwise (a session)
    if token_id is not None:
        ApiToken.objects.filter(pk=token_id, user=actor).delete()


@service(role=SHOPPER, errors=[TokenNotFound], atomic=True)
def token_delete(*, actor: Any, data: TokenRef) -> None:
    """Revoke one of your API tokens (see the list of your tokens)."""
    deleted, _ = ApiToken.objects.filter(pk=data.token_id, user=actor).delete()
    if not deleted:
        raise TokenNotFound()


@service(role=SYSTEM, errors=[NotFound], atomic=True)
def token_issue(*, data: NewToken) -> IssuedTokenOut:
    """Issue an API token for an existing user (operators: smoke tests, integrations)."""
    token, key = issue_token(user_by_username(data.username), data.name)
    return IssuedTokenOut(id=token.pk, name=token.name, token=key, expires_at=token.expires_at)


@service(role=SYSTEM, atomic=True)
def token_purge_expired() -> dict[str, int]:
    """Delete expired API tokens (they no longer authenticate anyway)."""
    deleted, _ = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return {"purged": deleted}


@service(role=SYSTEM, errors=[UsernameTaken], atomic=True)
def user_create(*, data: NewUser) -> UserOut:
    """Create a user (a customer, or a merchant with is_staff) and an API token for them."""
    model = get_user_model()
    try:
        validate_password(data.password, model(username=data.username, email=data.email))
    except DjangoValidationError as exc:
        raise InvalidInput(fields={"password": exc.messages}) from None
    try:
        with transaction.atomic():
            user = model.objects.create_user(
                username=data.username,
                email=data.email,
                password=data.password,
                is_staff=data.is_staff,
            )
            _, key = issue_token(user, "created by an operator")
    except IntegrityError:
        # the unique username decides, even between two creates at the same moment
        if model.objects.filter(username=data.username).exists():
            raise UsernameTaken() from None
        raise
    return UserOut(id=user.pk, username=user.username, is_staff=user.is_staff, token=key)
