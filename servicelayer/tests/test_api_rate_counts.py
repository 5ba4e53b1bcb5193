"""The API's rates count an anonymous request once where the anon rate covers the user rate's
count of its address (the same period, a limit no higher), and twice where it does not."""

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from servicelayer import throttling
from servicelayer.rest.throttles import _covers, _limit

NOW = 1_800_000_030.0  # mid-window: every request of a test falls into one


def rates(anon: str | None, user: str | None) -> Any:
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}
    return override_settings(REST_FRAMEWORK=rest)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cache keys the rates counted under, one per count."""
    keys: list[str] = []
    count = throttling._count
    monkeypatch.setattr(throttling, "clock", lambda: NOW)

    def counting(cache: Any, key: str, timeout: int) -> int:
        keys.append(key)
        return count(cache, key, timeout)

    monkeypatch.setattr(throttling, "_count", counting)
    return keys


def test_an_anonymous_request_is_counted_once_when_the_anon_rate_covers_it(db, counted):
    with rates("100/min", "500/min"):
        assert APIClient().get("/api/products/").status_code == 200
    assert len(counted) == 1
    assert counted[0] == _limit("anon", "100/min")._slot("127.0.0.1", NOW)[0]


@pytest.mark.parametrize(("anon", "user"), [("100/min", "3/min"), ("100/s", "300/min")])
def test_a_user_rate_the_anon_rate_does_not_cover_still_holds_anonymous_clients(
    db, counted, anon, user
):
    with rates(anon, user):
        client = APIClient()
        statuses = [client.get("/api/products/").status_code for _ in range(4)]
    if user == "3/min":
        assert statuses == [200, 200, 200, 429]  # the user rate's count of the address
    assert len(counted) == 8  # both counts, every request


def test_which_anon_rates_cover_the_user_rate():
    assert _covers("1000/min", "5000/min")
    assert _covers("50/min", "50/m")
    assert not _covers("5000/min", "1000/min")
    assert not _covers("10/s", "1000/min")  # other windows: other counts
    assert not _covers(None, "1000/min")
