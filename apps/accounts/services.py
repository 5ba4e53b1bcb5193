"""Accounts: signing in and out with API tokens, and users created by operators."""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.accounts.dto import Credentials, NewUser, TokenOut, UserOut
from apps.actors import ANYONE, SHOPPER, SYSTEM
from servicelayer.errors import Conflict, NotAuthenticated
from servicelayer.registry import service


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = "The username or password is not correct."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "A user with this username already exists."


@service(actor=ANYONE, errors=[InvalidCredentials])
def token_obtain(*, data: Credentials) -> TokenOut:
    """Sign in: exchange a username and password for an API token (the same one until logout)."""
    user = authenticate(username=data.username, password=data.password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    token, _ = Token.objects.get_or_create(user=user)
    return TokenOut(token=token.key, username=user.get_username(), is_staff=user.is_staff)


@service(actor=SHOPPER)
def token_revoke(*, actor: User) -> None:
    """Sign out: the caller's API token stops working."""
    Token.objects.filter(user=actor).delete()


@service(actor=SYSTEM, errors=[UsernameTaken])
def user_create(*, data: NewUser) -> UserOut:
    """Create a user (a customer, or a merchant with is_staff) and their API token."""
    model = get_user_model()
    with transaction.atomic():
        if model.objects.filter(username=data.username).exists():
            raise UsernameTaken()
        user = model.objects.create_user(
            username=data.username, email=data.email, password=data.password, is_staff=data.is_staff
        )
        token = Token.objects.create(user=user)
    return UserOut(id=user.pk, username=user.username, is_staff=user.is_staff, token=token.key)
