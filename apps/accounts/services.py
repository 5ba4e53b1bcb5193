"""Accounts: registering, activating, signing in and out with API tokens, your tokens,
passwords (change, reset by e-mail), and users created by operators.

A token's key is shown once, when it is issued, and stored only as a hash; each sign-in issues
a new token, valid for AGORA_TOKEN_LIFETIME_DAYS. Passwords set here pass Django's validators
(AUTH_PASSWORD_VALIDATORS), with the user's own attributes for the similarity check.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts import links
from apps.accounts.dto import (
    AccountRequestOut,
    ActivationLink,
    Credentials,
    IssuedTokenOut,
    NewAccount,
    NewToken,
    NewUser,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    TokenOut,
    TokenRef,
    UserOut,
)
from apps.accounts.errors import (
    InvalidCredentials,
    InvalidLink,
    PasswordIncorrect,
    PasswordInvalid,
    TokenNotFound,
    UsernameTaken,
)
from apps.accounts.models import ApiToken, PendingRegistration
from apps.roles import ANYONE, SHOPPER, SYSTEM
from servicelayer import events
from servicelayer.errors import NotFound
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


def _check_password(password: str, user: Any, field: str) -> None:
    """Django's password validators, with the user's own attributes for the similarity check."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise PasswordInvalid(fields={field: exc.messages}) from None


@service(role=SYSTEM, errors=[PasswordInvalid, UsernameTaken], atomic=True)
def user_create(*, data: NewUser) -> UserOut:
    """Create a user (a customer, or a merchant with is_staff) and an API token for them. A
    password the validators refuse is `password_invalid`, as in registration."""
    model = get_user_model()
    _check_password(data.password, model(username=data.username, email=data.email), "password")
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


# --- registration -------------------------------------------------------------------------

REQUEST_ANSWER = AccountRequestOut(
    detail="Thank you. If this can be done, an e-mail with the next step is on its way."
)


def _holder_of(username: str) -> int | None:
    """The id of the account that has the username (case aside), if one has."""
    model = get_user_model()
    return model.objects.filter(username__iexact=username).values_list("pk", flat=True).first()


def _hold(username: str, *, email: str, password: str) -> tuple[int, bool]:
    """The id of the account that holds `username`, and whether this call made it: an
    inactive, pending account with `email` and `password` if the name was free. The username's
    unique index decides, even between two registrations at the same moment."""
    holder = _holder_of(username)
    if holder is not None:
        return holder, False
    model = get_user_model()
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the request's work intact
            user = model.objects.create(
                username=username, email=email, password=password, is_active=False
            )
            PendingRegistration.objects.create(user=user)
    except IntegrityError:
        holder = _holder_of(username)
        if holder is None:
            raise
        return holder, False
    return user.pk, True


@service(role=ANYONE, errors=[PasswordInvalid], atomic=True)
def account_register(*, data: NewAccount) -> AccountRequestOut:
    """Register: an inactive account, activated by the link e-mailed to its address.

    The answer is the same whether or not the username or the address is taken, and so is
    what the caller can see happen next (registering the same name again, signing in), so
    nobody learns from it which are known:

    - a free name is held in every case, until its link expires: by the new pending account,
      or, when the address already has an account, by an inactive account with no address and
      no usable password that nothing can activate (`account_purge_unactivated` deletes it).
      A name held either way answers a second registration with another address alike;
    - the mail says what happened, to the address's owner only (through the events below and
      apps/notifications): a new account gets its activation link
      (`account.registration_asked`); an address that has an account gets "someone tried to
      register with your address" (`account.registration_repeated`), or, if that account
      still awaits activation, its activation link again, for its first password; an address
      with no account whose name is taken gets "choose another username"
      (`account.username_taken`).

    The password is checked by the password validators, and hashed, in every case alike."""
    model = get_user_model()
    email = model.objects.normalize_email(data.email)
    _check_password(data.password, model(username=data.username, email=email), "password")
    password = make_password(data.password)  # the same work whatever follows
    owner = model.objects.filter(email__iexact=email).order_by("pk").first()
    if owner is not None:
        _hold(data.username, email="", password=make_password(None))  # by no one, if free
        pending = PendingRegistration.objects.filter(user=owner).exists()
        kind = "account.registration_asked" if pending else "account.registration_repeated"
        events.record(kind, subject="user", subject_id=owner.pk, owner=owner.pk)
        return REQUEST_ANSWER
    holder, new = _hold(data.username, email=email, password=password)
    if new:
        events.record("account.registration_asked", subject="user", subject_id=holder, owner=holder)
    else:  # no owner to write to: the event carries what the caller typed (nothing secret)
        events.record(
            "account.username_taken",
            subject="user",
            subject_id=holder,
            payload={"email": email, "username": data.username},
        )
    return REQUEST_ANSWER


def _user_of_link(uid: str) -> Any:
    """The user a link names, locked (a link is used once, even by two requests at a time);
    None if there is none."""
    user_id = links.user_id_of(uid)
    if user_id is None:
        return None
    return get_user_model().objects.select_for_update().filter(pk=user_id).first()


@service(role=ANYONE, errors=[InvalidLink], atomic=True)
def account_activate(*, data: ActivationLink) -> None:
    """Activate your account with the `uid` and `token` of the link e-mailed at registration
    (valid PASSWORD_RESET_TIMEOUT seconds, once); then sign in."""
    user = _user_of_link(data.uid)
    if user is None or not links.activation_tokens.check_token(user, data.token):
        raise InvalidLink()
    deleted, _ = PendingRegistration.objects.filter(user=user).delete()
    if not deleted:  # deactivated by staff: a link does not bring it back
        raise InvalidLink()
    user.is_active = True
    user.save(update_fields=["is_active"])


@service(role=SYSTEM, atomic=True)
def account_purge_unactivated() -> dict[str, int]:
    """Delete self-registered accounts never activated whose links have expired
    (PASSWORD_RESET_TIMEOUT), so that their usernames and addresses can be registered again."""
    cutoff = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    stale = PendingRegistration.objects.filter(created_at__lt=cutoff, user__is_active=False)
    deleted, _ = get_user_model().objects.filter(pk__in=stale.values("user_id")).delete()
    return {"purged": deleted}


# --- passwords ----------------------------------------------------------------------------


@service(role=SHOPPER, errors=[PasswordIncorrect, PasswordInvalid], atomic=True)
def password_change(*, actor: Any, data: PasswordChange) -> None:
    """Change your password (the current one is asked for; the new one must pass the password
    validators). Your other API tokens are revoked; the one this request came with keeps
    working (signed in otherwise, all are revoked)."""
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(data.old_password):
        raise PasswordIncorrect(fields={"old_password": [PasswordIncorrect.default_message]})
    _check_password(data.new_password, user, "new_password")
    user.set_password(data.new_password)
    user.save(update_fields=["password"])
    others = ApiToken.objects.filter(user=user)
    current = getattr(actor, "api_token_id", None)
    if current is not None:
        others = others.exclude(pk=current)
    others.delete()


@service(role=ANYONE, atomic=True)
def password_reset_request(*, data: PasswordResetRequest) -> AccountRequestOut:
    """Ask for a password reset link by e-mail. The answer is the same whether or not the
    address has an account; an active account with it gets the link (valid
    PASSWORD_RESET_TIMEOUT seconds, once)."""
    users = get_user_model().objects.filter(email__iexact=data.email, is_active=True)
    for user_id in users.order_by("pk").values_list("pk", flat=True):
        # the mail (apps/notifications) makes the link when it is sent: no token is stored
        events.record(
            "account.password_reset_asked", subject="user", subject_id=user_id, owner=user_id
        )
    return REQUEST_ANSWER


@service(role=ANYONE, errors=[InvalidLink, PasswordInvalid], atomic=True)
def password_reset_confirm(*, data: PasswordReset) -> None:
    """Set a new password with the `uid` and `token` of a password reset link (valid
    PASSWORD_RESET_TIMEOUT seconds, once). Every API token of the account is revoked; sign in
    with the new password."""
    user = _user_of_link(data.uid)
    if user is None or not user.is_active or not links.reset_tokens.check_token(user, data.token):
        raise InvalidLink()
    _check_password(data.new_password, user, "new_password")
    user.set_password(data.new_password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()
