"""General request rates for the whole API: per client address without a signed-in user, per
user with one, with the rates read when a request comes (not when DRF is imported), so that a
changed setting (a test's override_settings) takes effect.

    REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": ["servicelayer.rest.throttles.AnonRate",
                                     "servicelayer.rest.throttles.UserRate"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "5000/min"},  # None: no limit
    }

Counts are fixed windows (servicelayer.throttling's RateLimit: one counter per identity and
window, one cache operation per request), not DRF's sliding window, which keeps a list of
every request's time in the cache and reads and writes the whole list on each request: at a
rate of 5000/min a busy client's list holds thousands of entries. A fixed window lets a client
send up to twice its rate across a window's edge, which a general flood guard can allow.
Counts live in the default cache, so instances sharing Redis share them. A request over its
rate is DRF's Throttled: a 429 with the one error body (`throttled`) and `Retry-After`,
through the exception handler.
"""

from functools import cache
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from servicelayer.throttling import RateLimit, attempt

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@cache
def _limit(scope: str, rate: str) -> RateLimit:
    """DRF's rate notation, "<number>/<period>" (second, minute, hour, day: the first letter
    counts), as a fixed-window limit."""
    number, period = rate.split("/")
    return RateLimit(f"api-{scope}", limit=int(number), window=_PERIODS[period[0]])


class _Rate(BaseThrottle):
    scope = ""

    def identity(self, request: Request) -> str | None:
        """Whom this request counts for under this scope; None: not counted here."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        ident = self.identity(request) if rate is not None else None
        if ident is None:
            return True
        self._wait = attempt([(_limit(self.scope, str(rate)), ident)])
        return self._wait is None

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class AnonRate(_Rate):
    """Requests without a signed-in user, per client address (DRF's identity: REMOTE_ADDR, or
    X-Forwarded-For as far as NUM_PROXIES trusts it)."""

    scope = "anon"

    def identity(self, request: Request) -> str | None:
        return None if request.user and request.user.is_authenticated else self.get_ident(request)


class UserRate(_Rate):
    """Requests of a signed-in user, per user, whatever the token or the address (a request
    without a user counts per address here too, so the lower of the two rates is its own)."""

    scope = "user"

    def allow_request(self, request: Request, view: Any) -> bool:
        self._anon_counted = any(
            isinstance(c, type) and issubclass(c, AnonRate)
            for c in getattr(view, "throttle_classes", ())
        )
        return super().allow_request(request, view)

    def identity(self, request: Request) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        if self._anon_counted and _covers(
            api_settings.DEFAULT_THROTTLE_RATES.get("anon"),
            api_settings.DEFAULT_THROTTLE_RATES.get("user"),
        ):
            # AnonRate counts the same requests per the same address in the same windows, to
            # a limit no higher: this count could never refuse first. One cache operation
            # (a Redis round trip) per anonymous request fewer.
            return None
        return f"address:{self.get_ident(request)}"


@cache
def _covers(anon: str | None, user: str | None) -> bool:
    """Whether the anon rate refuses an anonymous client whenever the user rate would: the
    same period (so the same windows, the same counts) and a number no higher."""
    if anon is None or user is None:
        return anon is not None
    anon_limit, user_limit = _limit("anon", anon), _limit("user", user)
    return anon_limit.window == user_limit.window and anon_limit.limit <= user_limit.limit
