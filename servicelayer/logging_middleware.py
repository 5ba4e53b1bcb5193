"""The request id and the access log, first in MIDDLEWARE so they cover the whole request.

For each request: take its `X-Request-ID` if sane (else make one), make it current for the
request's duration, return it in the response's `X-Request-ID`, and log one access line
(logger `servicelayer.access`, INFO: method, path, status, duration_ms, user_id) and, above
`SLOW_REQUEST_MS` milliseconds, a WARNING `slow request` line with the same fields.
Health probes (paths under `/health/`) are logged at DEBUG: a load balancer asks every few
seconds, and their lines would drown the others; a slow probe still warns.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from servicelayer import request_id

access_log = logging.getLogger("servicelayer.access")

DEFAULT_SLOW_REQUEST_MS = 500
QUIET_PREFIXES = ("/health/",)

# A module-level name so a test can drive the clock instead of waiting.
clock: Callable[[], float] = time.perf_counter


def _user_id(request: HttpRequest) -> Any:
    # DRF puts the user it authenticated on the request; Django's lazy session user is looked
    # at only if something already loaded it (logging costs no query).
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        wrapped = user._wrapped  # type: ignore[attr-defined]
        if wrapped is empty:
            return None
        user = wrapped
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rid = request_id.clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = rid  # type: ignore[attr-defined]  # for lines logged after us
        with request_id.bound(rid):
            started = clock()
            response = self.get_response(request)
            duration_ms = round((clock() - started) * 1000, 1)
            response[request_id.HEADER] = rid
            self._log(request, response, duration_ms)
        return response

    def _log(self, request: HttpRequest, response: HttpResponseBase, duration_ms: float) -> None:
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
        }
        quiet = request.path.startswith(QUIET_PREFIXES)
        access_log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra=fields,
        )
        threshold = getattr(settings, "SLOW_REQUEST_MS", DEFAULT_SLOW_REQUEST_MS)
        if duration_ms > threshold:
            access_log.warning(
                "slow request: %s %s took %.1fms (over %sms)",
                request.method,
                request.path,
                duration_ms,
                threshold,
                extra=fields | {"threshold_ms": threshold},
            )
