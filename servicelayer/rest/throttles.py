"""General request rates for the whole API: DRF's anonymous and per-user throttles, with the
rates read when a request comes (not when DRF is imported), so that a changed setting (a
test's override_settings) takes effect.

    REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": ["servicelayer.rest.throttles.AnonRate",
                                     "servicelayer.rest.throttles.UserRate"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "5000/min"},  # None: no limit
    }

Counts live in the default cache (DRF's own choice), so instances sharing Redis share them. A
request over its rate is DRF's Throttled: a 429 with the one error body (`throttled`) and
`Retry-After`, through the exception handler.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def _live_rate(scope: str | None) -> str | None:
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
    return str(rate) if rate is not None else None


class AnonRate(AnonRateThrottle):
    """Requests without a signed-in user, per client address (DRF's identity: REMOTE_ADDR, or
    X-Forwarded-For as far as NUM_PROXIES trusts it)."""

    def get_rate(self) -> str | None:
        return _live_rate(self.scope)


class UserRate(UserRateThrottle):
    """Requests of a signed-in user, per user, whatever the token or the address (a request
    without a user counts per address here too, so the lower of the two rates is its own)."""

    def get_rate(self) -> str | None:
        return _live_rate(self.scope)
