"""Posting a delivery to a merchant's receiver over HTTP (httpx).

One short timeout for connecting and for the answer (WEBHOOK_TIMEOUT_SECONDS), no redirects
followed (a 3xx is a failed attempt: a redirect could lead anywhere, past the address checks),
and the answer's body is never read: only its status code counts, so a receiver cannot make a
worker download anything. Every outcome is a `Posted`, never an exception: an attempt that got
no answer is an attempt too."""

import time
from dataclasses import dataclass

import httpx

from apps.webhooks.targets import UnsafeTarget, check_addresses

MAX_ERROR = 500


@dataclass(frozen=True)
class Posted:
    status_code: int | None  # None: no answer (refused, unreachable, timed out)
    error: str  # empty on a 2xx
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Posted:
    """POST `body` to `url` (its addresses checked first) and say what came of it."""
    started = time.monotonic()

    def outcome(status_code: int | None, error: str) -> Posted:
        elapsed = round((time.monotonic() - started) * 1000)
        return Posted(status_code, error[:MAX_ERROR], elapsed)

    try:
        check_addresses(url)
        with (
            httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            code = response.status_code
    except UnsafeTarget as exc:
        return outcome(None, str(exc))
    except httpx.TimeoutException:
        return outcome(None, f"No answer within {timeout:g} s.")
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
    if 200 <= code < 300:
        return outcome(code, "")
    return outcome(code, f"The receiver answered {code}.")
