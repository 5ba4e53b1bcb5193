"""Counting failures (a wrong password, a bad code) or attempts per identity, to stop brute
force and floods.

    limit = FailureLimit("sign-in:ip", limit=20, window=900)
    wait = retry_after([(limit, ip)])          # seconds to wait, or None: refuse if not None
    record_failure([(limit, ip)])              # after a failed attempt
    forget(limit, ip)                          # after a success, where that is safe

    limit = RateLimit("register:ip", limit=20, window=3600)
    wait = attempt([(limit, ip)])              # counts this attempt; refuse if not None

A FailureLimit counts only failures, so a user who succeeds is never held back by their
successes. A RateLimit counts every attempt, for actions whose success is itself the abuse
(registrations, reset mails: each sends an e-mail to someone). Counts live
in fixed windows of `window` seconds (aligned to the clock) in a Django cache, so every app
instance sharing that cache (Redis) shares them; a window's counts expire with it. Which
attempts are failures, and how the refusal is delivered (DRF's Throttled, a 429 with
Retry-After), is the caller's business: this module knows no HTTP.
"""

import hashlib
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

clock = time.time  # seconds since the epoch; tests replace it
CACHE_ALIAS = "default"

Checks = Iterable[tuple["FailureLimit", str]]


@dataclass(frozen=True)
class FailureLimit:
    """At most `limit` failures per identity in each window of `window` seconds."""

    scope: str
    limit: int
    window: int
    counts: ClassVar[str] = "failures"  # what is counted: the cache keys' prefix

    def _slot(self, ident: str, now: float) -> tuple[str, float]:
        """The cache key of `ident`'s count in the window of `now`, and when that window ends.
        Identities are hashed: they are user input, and cache keys must be short and plain."""
        index = int(now // self.window)
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"{self.counts}:{self.scope}:{index}:{digest}", (index + 1) * self.window


def retry_after(checks: Checks) -> int | None:
    """Seconds until every identity is under its limit again, or None if all are now."""
    now = clock()
    slots = [(limit, *limit._slot(ident, now)) for limit, ident in checks]
    counts = caches[CACHE_ALIAS].get_many([key for _, key, _ in slots])
    waits = [end - now for limit, key, end in slots if counts.get(key, 0) >= limit.limit]
    return max(1, math.ceil(max(waits))) if waits else None


def record_failure(checks: Checks) -> None:
    cache, now = caches[CACHE_ALIAS], clock()
    for limit, ident in checks:
        key, end = limit._slot(ident, now)
        _count(cache, key, math.ceil(end - now) + 1)


def forget(limit: FailureLimit, ident: str) -> None:
    """Clear `ident`'s failures in the current window."""
    caches[CACHE_ALIAS].delete(limit._slot(ident, clock())[0])


@dataclass(frozen=True)
class RateLimit(FailureLimit):
    """At most `limit` attempts, successful or not, per identity in each window of `window`
    seconds."""

    counts: ClassVar[str] = "attempts"


def attempt(checks: Iterable[tuple[RateLimit, str]]) -> int | None:
    """Count one attempt under every (limit, identity); the seconds to wait if that puts any
    identity over its limit (the attempt is then to be refused), else None.

    Counting first and comparing after is atomic: of concurrent attempts at the limit exactly
    `limit` go through. A refused attempt counts too, which changes nothing: the window is fixed,
    so it still ends when it would have."""
    cache, now = caches[CACHE_ALIAS], clock()
    waits: list[float] = []
    for limit, ident in checks:
        key, end = limit._slot(ident, now)
        if _count(cache, key, math.ceil(end - now) + 1) > limit.limit:
            waits.append(end - now)
    return max(1, math.ceil(max(waits))) if waits else None


def _count(cache: Any, key: str, timeout: int) -> int:
    """Add one to the count at `key` (made for `timeout` seconds if new); the new count.
    An increment first (one operation once the window's count exists, as it mostly does),
    else an add; both are atomic on every backend, so concurrent attempts are all counted."""
    if isinstance(cache, RedisCache):
        return _count_in_redis(cache, key, timeout)
    for _ in range(2):
        try:
            return int(cache.incr(key))
        except ValueError:  # no count yet in this window: the first attempt makes it
            if cache.add(key, 1, timeout):
                return 1
    return int(cache.incr(key))  # another attempt made it meanwhile


_clients: "WeakKeyDictionary[RedisCache, Any]" = WeakKeyDictionary()


def _count_in_redis(cache: RedisCache, key: str, timeout: int) -> int:
    """`_count` in one round trip. Django's RedisCache.incr asks EXISTS before INCR (two round
    trips, on every API request: the API's rates count each one), so this sends a pipeline of
    `SET key 0 EX timeout NX` (the window's count made, with its expiry, if it has none) and
    `INCR key` in one MULTI/EXEC, so the key cannot expire between them (an INCR would then make
    a count with no expiry); concurrent attempts are all counted, as with incr and add. The
    count is a plain integer, which is how RedisCache stores ints: its get and get_many read it
    back. The client is kept per cache (it shares its cache's pool and is thread-safe)."""
    full_key = cache.make_and_validate_key(key)
    client = _clients.get(cache)
    if client is None:  # RedisCache makes a client per call, which costs more than the count
        client = _clients[cache] = cache._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=True)  # MULTI/EXEC: no expiry between the two
    pipeline.set(full_key, 0, ex=timeout, nx=True)
    pipeline.incr(full_key)
    return int(pipeline.execute()[1])
