"""Failure counting: per identity, in clock-aligned windows, on the cache."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from servicelayer import throttling
from servicelayer.throttling import FailureLimit, forget, record_failure, retry_after

LIMIT = FailureLimit("test", limit=3, window=60)


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 60.0 * 1_000_000 + 15}  # 15 s into a window

    monkeypatch.setattr(throttling, "clock", lambda: now["t"])
    return now


def fail(ident, times=1):
    for _ in range(times):
        record_failure([(LIMIT, ident)])


def test_an_identity_is_held_back_once_it_reaches_the_limit(clock):
    fail("a", 2)
    assert retry_after([(LIMIT, "a")]) is None
    fail("a")
    assert retry_after([(LIMIT, "a")]) == 45  # the rest of the window
    assert retry_after([(LIMIT, "b")]) is None


def test_any_identity_over_its_limit_holds_the_attempt_back(clock):
    other = FailureLimit("other", limit=1, window=600)
    record_failure([(other, "a")])
    assert retry_after([(LIMIT, "a"), (other, "a")]) == 600 - 15


def test_the_counts_end_with_their_window(clock):
    fail("a", 3)
    clock["t"] += 44.5
    assert retry_after([(LIMIT, "a")]) == 1
    clock["t"] += 0.5
    assert retry_after([(LIMIT, "a")]) is None


def test_forget_clears_an_identitys_failures(clock):
    fail("a", 3)
    forget(LIMIT, "a")
    assert retry_after([(LIMIT, "a")]) is None


def test_identities_of_any_text_are_safe_cache_keys(clock):
    weird = "spaces and\ncontrol\x01 and ünïcode " * 20
    fail(weird, 3)
    assert retry_after([(LIMIT, weird)]) is not None


def test_instances_sharing_a_redis_cache_share_the_counts(clock, redis_up):
    """What CACHE_URL=redis://... is for: every app instance sees every failure."""
    location, prefix = "redis://127.0.0.1:6379/14", f"test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": prefix}}
    ):
        fail("a", 2)
        other_instance = RedisCache(location, {"KEY_PREFIX": prefix})
        key = LIMIT._slot("a", clock["t"])[0]
        assert other_instance.get(key) == 2
        other_instance.incr(key)  # a failure seen by another instance
        assert retry_after([(LIMIT, "a")]) == 45
        other_instance.delete(key)


def test_a_redis_count_is_made_with_its_window_and_counts_every_attempt(clock, redis_up):
    """On Redis a count is one round trip (SET NX with the window's expiry, then INCR): the
    first attempt makes it expiring with its window, concurrent attempts are all counted."""
    location, prefix = "redis://127.0.0.1:6379/14", f"test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    limit = throttling.RateLimit("test-rate", limit=40, window=60)
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": prefix}}
    ):
        with ThreadPoolExecutor(max_workers=8) as pool:
            waits = list(pool.map(lambda _: throttling.attempt([(limit, "a")]), range(50)))
        assert waits.count(None) == 40  # exactly the limit went through
        key = limit._slot("a", clock["t"])[0]
        other_instance = RedisCache(location, {"KEY_PREFIX": prefix})
        assert other_instance.get(key) == 50
        full_key = other_instance.make_and_validate_key(key)
        ttl = other_instance._cache.get_client(full_key).ttl(full_key)  # type: ignore[attr-defined]
        assert 0 < ttl <= 45 + 1  # the rest of the window, plus the second of slack
        other_instance.delete(key)
