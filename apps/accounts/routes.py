"""Accounts over REST: sign in (throttled on failures), sign out, your tokens. Translation only.

Sign-in failures are counted per client address and per username (servicelayer.throttling, on
the cache): past AGORA_LOGIN_FAILURES_PER_IP or AGORA_LOGIN_FAILURES_PER_USERNAME in
AGORA_LOGIN_FAILURE_WINDOW_SECONDS, sign-in answers 429 with Retry-After, even to the right
password, until the window ends. A successful sign-in clears its username's count (not the
address's: a guesser's own account must not reset it). The address is DRF's client identity:
REMOTE_ADDR, or X-Forwarded-For only as far as REST_FRAMEWORK["NUM_PROXIES"] trusts it.
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
from apps.accounts.errors import InvalidCredentials
from servicelayer import throttling
from servicelayer.rest.errors import Error
from servicelayer.rest.routes import Guard, Routes
from servicelayer.throttling import FailureLimit

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

routes = Routes(tag="accounts")
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

urlpatterns = routes.urls()
