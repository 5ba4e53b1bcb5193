"""Accounts over REST: register and activate, sign in (throttled on failures), sign out, your
tokens, passwords. Translation only.

Sign-in failures are counted per client address and per username (servicelayer.throttling, on
the cache): past AGORA_LOGIN_FAILURES_PER_IP or AGORA_LOGIN_FAILURES_PER_USERNAME in
AGORA_LOGIN_FAILURE_WINDOW_SECONDS, sign-in answers 429 with Retry-After, even to the right
password, until the window ends. A successful sign-in clears its username's count (not the
address's: a guesser's own account must not reset it). The address is DRF's client identity:
REMOTE_ADDR, or X-Forwarded-For only as far as REST_FRAMEWORK["NUM_PROXIES"] trusts it.

Registration and password reset requests send e-mail, so every attempt counts, successful or
not: past AGORA_RATE_ACCOUNT_PER_IP per address or AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL per
username or e-mail address in AGORA_RATE_ACCOUNT_WINDOW_SECONDS, a 429 with Retry-After
(registration and reset are counted apart). A wrong current password when changing it counts
as a failed sign-in does, per user.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from apps.accounts import selectors, services
from apps.accounts.errors import InvalidCredentials, PasswordIncorrect
from servicelayer import throttling
from servicelayer.rest.errors import Error
from servicelayer.rest.routes import Guard, Routes
from servicelayer.throttling import FailureLimit, RateLimit

Check = tuple[FailureLimit, str]


@functools.cache
def _limits(per_ip: int, per_username: int, window: int) -> tuple[FailureLimit, FailureLimit]:
    """The two sign-in limits for these settings: built once, looked up per request so that a
    changed setting (a test's override) takes effect."""
    return (
        FailureLimit("sign-in:ip", per_ip, window),
        FailureLimit("sign-in:username", per_username, window),
    )


def _sign_in_checks(request: Request) -> tuple[list[Check], Check | None]:
    """Every (limit, identity) a sign-in counts under, and the username's among them."""
    per_ip, per_username = _limits(
        settings.AGORA_LOGIN_FAILURES_PER_IP,
        settings.AGORA_LOGIN_FAILURES_PER_USERNAME,
        settings.AGORA_LOGIN_FAILURE_WINDOW_SECONDS,
    )
    checks: list[Check] = [(per_ip, BaseThrottle().get_ident(request) or "")]
    username = request.data.get("username") if isinstance(request.data, dict) else None
    if not (isinstance(username, str) and username):
        return checks, None
    # "Alice" and "alice" are one target to a guesser, whatever the user model's rule
    by_username = (per_username, username.casefold())
    return [*checks, by_username], by_username


def _throttle_failures(request: Request, sign_in: Callable[[], Response]) -> Response:
    checks, by_username = _sign_in_checks(request)
    wait = throttling.retry_after(checks)
    if wait is not None:
        raise Throttled(wait, detail="Too many failed sign-ins.")
    try:
        response = sign_in()
    except InvalidCredentials:
        throttling.record_failure(checks)
        raise
    if by_username is not None:
        throttling.forget(*by_username)
    return response


SIGN_IN_THROTTLE = Guard(
    _throttle_failures,
    responses={
        429: OpenApiResponse(
            Error,
            description="Error codes: `throttled` (too many failed sign-ins from this "
            "address or for this username; wait `Retry-After` seconds)",
        )
    },
)


def _text(request: Request, name: str) -> str:
    """A text field of the body, folded as a guesser would not tell its cases apart; "" if
    absent (the service refuses the input then)."""
    value = request.data.get(name) if isinstance(request.data, dict) else None
    return value.strip().casefold() if isinstance(value, str) else ""


@functools.cache
def _account_limits(action: str, per_ip: int, per_name: int, window: int) -> tuple[RateLimit, ...]:
    return RateLimit(f"{action}:ip", per_ip, window), RateLimit(f"{action}:name", per_name, window)


def _rate_limited(action: str, *fields: str) -> Guard:
    """Every attempt at `action` (a cache key's word: no spaces) counts, per client address and
    per value of each of `fields` (a username, an e-mail address)."""

    def around(request: Request, proceed: Callable[[], Response]) -> Response:
        per_ip, per_name = _account_limits(
            action,
            settings.AGORA_RATE_ACCOUNT_PER_IP,
            settings.AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL,
            settings.AGORA_RATE_ACCOUNT_WINDOW_SECONDS,
        )
        checks = [(per_ip, BaseThrottle().get_ident(request) or "")]
        checks += [(per_name, f"{f}:{_text(request, f)}") for f in fields if _text(request, f)]
        wait = throttling.attempt(checks)
        if wait is not None:
            raise Throttled(wait, detail=f"Too many {action.replace('-', ' ')} requests.")
        return proceed()

    what = " or for this ".join(f.replace("_", " ") for f in fields)
    return Guard(
        around,
        responses={
            429: OpenApiResponse(
                Error,
                description=f"Error codes: `throttled` (too many requests from this address or "
                f"for this {what}; wait `Retry-After` seconds)",
            )
        },
    )


@functools.cache
def _password_limit(per_user: int, window: int) -> FailureLimit:
    return FailureLimit("password-change:user", per_user, window)


def _throttle_wrong_passwords(request: Request, change: Callable[[], Response]) -> Response:
    """A stolen token must not let its holder guess the current password at leisure."""
    if not request.user.is_authenticated:
        return change()  # refused as not authenticated
    limit = _password_limit(
        settings.AGORA_LOGIN_FAILURES_PER_USERNAME, settings.AGORA_LOGIN_FAILURE_WINDOW_SECONDS
    )
    checks = [(limit, str(request.user.pk))]
    wait = throttling.retry_after(checks)
    if wait is not None:
        raise Throttled(wait, detail="Too many wrong passwords.")
    try:
        return change()
    except PasswordIncorrect:
        throttling.record_failure(checks)
        raise


PASSWORD_CHANGE_THROTTLE = Guard(
    _throttle_wrong_passwords,
    responses={
        429: OpenApiResponse(
            Error,
            description="Error codes: `throttled` (too many wrong current passwords; wait "
            "`Retry-After` seconds)",
        )
    },
)

routes = Routes(tag="accounts")
routes.post(
    "auth/register/",
    services.account_register,
    status=202,
    guard=_rate_limited("register", "username", "email"),
    authenticate=False,
    name="auth-register",
)
routes.post(
    "auth/activate/",
    services.account_activate,
    status=204,
    authenticate=False,
    name="auth-activate",
)
routes.post(
    "auth/login/",
    services.token_obtain,
    guard=SIGN_IN_THROTTLE,
    authenticate=False,  # a stale token must not block signing in
    name="auth-login",
)
routes.post("auth/logout/", services.token_revoke, status=204, name="auth-logout")
routes.get("auth/tokens/", selectors.token_list, name="auth-token-list")
routes.delete(
    "auth/tokens/<pk:token_id>/", services.token_delete, status=204, name="auth-token-detail"
)

routes.post(
    "auth/password/change/",
    services.password_change,
    status=204,
    guard=PASSWORD_CHANGE_THROTTLE,
    name="auth-password-change",
)
routes.post(
    "auth/password/reset/",
    services.password_reset_request,
    status=202,
    guard=_rate_limited("password-reset", "email"),
    authenticate=False,
    name="auth-password-reset",
)
routes.post(
    "auth/password/reset/confirm/",
    services.password_reset_confirm,
    status=204,
    authenticate=False,
    name="auth-password-reset-confirm",
)

urlpatterns = routes.urls()
