"""General rates for the whole API: per address without a user, per signed-in user."""

from django.conf import settings
from django.test import override_settings


def rates(anon: str | None, user: str | None):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}
    return override_settings(REST_FRAMEWORK=rest)


def test_the_defaults_are_far_above_a_normal_client():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "anon": settings.AGORA_RATE_ANON,
        "user": settings.AGORA_RATE_USER,
    }
    assert (settings.AGORA_RATE_ANON, settings.AGORA_RATE_USER) == ("1000/min", "5000/min")


def test_anonymous_requests_past_the_rate_are_429_with_the_error_body(api, db):
    with rates("3/min", "100/min"):
        codes = [api(None).get("/api/products/").status_code for _ in range(3)]
        refused = api(None).get("/api/products/")
        other_address = api(None).get("/api/products/", REMOTE_ADDR="10.1.1.1")
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert set(refused.json()) == {"error"}
    assert other_address.status_code == 200


def test_a_signed_in_user_has_their_own_rate_whatever_the_address(api, shopper, other_shopper):
    with rates("100/min", "2/min"):
        alice = api(shopper)
        codes = [alice.get("/api/orders/", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
        bob = api(other_shopper).get("/api/orders/")
    assert codes == [200, 200, 429]
    assert bob.status_code == 200


def test_no_rate_is_no_limit(api, db):
    with rates(None, None):
        assert {api(None).get("/api/products/").status_code for _ in range(20)} == {200}


def test_a_busy_client_costs_one_counter_not_a_growing_history(api, shopper, monkeypatch):
    """A fixed window: one integer per user and window in the cache, whatever the number of
    requests (DRF's sliding window stores, reads and writes a list of every request's time)."""
    from django.core.cache import cache

    from servicelayer import throttling
    from servicelayer.rest.throttles import _limit

    now = 1_800_000_030.0  # mid-window: all 30 requests fall into one
    monkeypatch.setattr(throttling, "clock", lambda: now)
    with rates("100/min", "50/min"):
        alice = api(shopper)
        for _ in range(30):
            assert alice.get("/api/orders/").status_code == 200
        key, _ = _limit("user", "50/min")._slot(f"user:{shopper.pk}", now)
        assert cache.get(key) == 30
