"""Health endpoints for load balancers and orchestrators: `/health/live` and `/health/ready`.

- `live`: the process is up and serves requests. No I/O, so a slow database never makes an
  orchestrator kill a healthy process.
- `ready`: the process can do its work now: the database answers `SELECT 1`, the cache keeps
  and returns a key, and the broker (only when CELERY_BROKER_URL is set) accepts a
  connection. 200 `{"status": "ok", "checks": {...}}`, or 503 `{"status": "unavailable",
  "checks": {...}}` naming each check that failed and why (the exception's kind, or a
  timeout; never its message, which may hold a URL with a password, nor a traceback).

They are plain Django views, not services, on purpose: a probe has no actor and no input and
changes nothing, so there is nothing for the service layer to check or validate; and it must
answer when what the API stands on does not work, so it skips DRF altogether (no
authentication, no permission classes, no throttling, no content negotiation, no session,
no CSRF: GET and HEAD only).

Each check runs in a small thread pool with a deadline (HEALTH_CHECK_TIMEOUT_SECONDS, 2 by
default): a database or broker that hangs makes the probe fail in time instead of hanging it.
A check that hangs keeps its thread, so probes queue behind it and keep failing until it
returns, which is the truth.
"""

import contextvars
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 2.0

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_CHECK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # this pool thread's own connection: a probe leaves none open behind it
        connection.close()


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    try:
        if cache.get(key) != "1":
            raise LookupError("the cache did not return the key it was given")
    finally:
        cache.delete(key)


def check_broker() -> None:
    from celery import current_app

    timeout = _timeout()
    # The app's connection settings (transport options, SSL) with the URL from settings, so
    # any transport kombu knows is checked the same way.
    with current_app.connection_for_write(
        url=settings.CELERY_BROKER_URL, connect_timeout=timeout
    ) as broker:
        broker.ensure_connection(max_retries=0, timeout=timeout)


def _checks() -> dict[str, Callable[[], None] | None]:
    """The checks to run; None: skipped (tasks run in process, without a broker)."""
    return {
        "database": check_database,
        "cache": check_cache,
        "broker": check_broker if settings.CELERY_BROKER_URL else None,
    }


def run_checks() -> dict[str, dict[str, str]]:
    timeout = _timeout()
    checks = _checks()
    futures: dict[str, Future[None]] = {
        # each in a copy of this context: their log lines carry the probe's request id
        name: _pool.submit(contextvars.copy_context().run, check)
        for name, check in checks.items()
        if check is not None
    }
    wait_for(futures.values(), timeout=timeout)
    results: dict[str, dict[str, str]] = {}
    for name in checks:
        future = futures.get(name)
        if future is None:
            results[name] = {"status": "skipped", "reason": "not configured"}
        elif not future.done():
            results[name] = {"status": "failed", "error": f"no answer within {timeout:g}s"}
            log.warning("health check %s: no answer within %gs", name, timeout)
        elif (error := future.exception()) is not None:
            results[name] = {"status": "failed", "error": type(error).__name__}
            log.warning("health check %s failed: %s: %s", name, type(error).__name__, error)
        else:
            results[name] = {"status": "ok"}
    return results


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    failed = any(result["status"] == "failed" for result in checks.values())
    body: dict[str, Any] = {"status": "unavailable" if failed else "ok", "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
