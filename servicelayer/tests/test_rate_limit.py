"""RateLimit counts every attempt, not only failures, in fixed windows."""

import pytest

from servicelayer import throttling
from servicelayer.throttling import RateLimit


@pytest.fixture
def now(monkeypatch):
    clock = {"now": 3600.0 * 500_000}  # the start of an hour
    monkeypatch.setattr(throttling, "clock", lambda: clock["now"])
    return clock


def test_the_attempt_past_the_limit_is_refused_until_the_window_ends(now):
    limit = RateLimit("test:ip", limit=3, window=3600)
    assert [throttling.attempt([(limit, "a")]) for _ in range(3)] == [None, None, None]
    now["now"] += 600
    assert throttling.attempt([(limit, "a")]) == 3000
    assert throttling.attempt([(limit, "b")]) is None  # per identity
    now["now"] += 3000
    assert throttling.attempt([(limit, "a")]) is None


def test_any_check_over_its_limit_refuses_with_the_longest_wait_among_them(now):
    short, long = RateLimit("test:short", 1, 60), RateLimit("test:long", 2, 3600)
    assert throttling.attempt([(short, "x"), (long, "x")]) is None
    assert throttling.attempt([(short, "x"), (long, "x")]) == 60  # only the short one is over
    assert throttling.attempt([(short, "x"), (long, "x")]) == 3600


def test_attempts_and_failures_are_counted_apart(now):
    attempts = RateLimit("test:same", 1, 60)
    failures = throttling.FailureLimit("test:same", 1, 60)
    throttling.attempt([(attempts, "x")])
    assert throttling.retry_after([(failures, "x")]) is None
