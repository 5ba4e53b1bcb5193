"""Sign-in is throttled on failed attempts: per username across IPs, per IP across usernames."""

import pytest
from django.conf import settings
from django.test import override_settings

from servicelayer import throttling

LOGIN = "/api/auth/login/"
RIGHT = {"username": "alice", "password": "secret-pass-123"}
WRONG = {"username": "alice", "password": "not-the-password"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 900.0 * 2_000_000  # the start of a 15-minute window

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(throttling, "clock", fake)
    return fake


def sign_in(api, body, ip="10.0.0.1", **headers):
    return api(None).post(LOGIN, body, format="json", REMOTE_ADDR=ip, **headers)


def assert_throttled(response, retry_after):
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert str(retry_after) in error["message"]
    assert set(response.json()) == {"error"}


def test_five_wrong_passwords_for_a_username_then_429_with_retry_after(api, shopper):
    for _ in range(5):
        assert sign_in(api, WRONG).status_code == 401
    assert_throttled(sign_in(api, WRONG), 900)


def test_the_right_password_is_refused_while_throttled(api, shopper, clock):
    for _ in range(5):
        sign_in(api, WRONG)
    clock.now += 600
    tokens = shopper.api_tokens.count()
    assert_throttled(sign_in(api, RIGHT), 300)
    assert shopper.api_tokens.count() == tokens  # no token issued


def test_the_username_limit_holds_across_ips(api, shopper):
    for n in range(5):
        assert sign_in(api, WRONG, ip=f"10.0.1.{n}").status_code == 401
    assert sign_in(api, WRONG, ip="10.0.2.1").status_code == 429
    # the username is what is throttled here, not the address: another user signs in from it
    assert sign_in(api, {"username": "bob", "password": "x"}, ip="10.0.2.1").status_code == 401


def test_the_ip_limit_holds_across_usernames(api, db):
    for n in range(20):
        response = sign_in(api, {"username": f"guess{n}", "password": "x"})
        assert response.status_code == 401
    assert_throttled(sign_in(api, {"username": "guess99", "password": "x"}), 900)
    assert sign_in(api, {"username": "guess99", "password": "x"}, ip="10.9.9.9").status_code == 401


def test_counts_reset_after_the_window(api, shopper, clock):
    for _ in range(5):
        sign_in(api, WRONG)
    assert sign_in(api, RIGHT).status_code == 429
    clock.now += 900
    assert sign_in(api, RIGHT).status_code == 200


def test_a_user_who_signs_in_normally_is_never_throttled(api, shopper):
    for _ in range(30):
        assert sign_in(api, RIGHT).status_code == 200


def test_a_successful_sign_in_resets_the_usernames_failures(api, shopper):
    for _ in range(3):
        for _ in range(4):
            assert sign_in(api, WRONG).status_code == 401
        assert sign_in(api, RIGHT).status_code == 200


def test_invalid_input_is_not_counted(api, shopper):
    for _ in range(10):
        assert sign_in(api, {"username": "alice", "password": ""}).status_code == 400
    assert sign_in(api, RIGHT).status_code == 200


def test_x_forwarded_for_is_not_trusted_by_default(api, db):
    for n in range(20):
        response = sign_in(
            api, {"username": f"guess{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
        assert response.status_code == 401
    response = sign_in(api, {"username": "z", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_a_proxy_num_proxies_picks_the_client_from_x_forwarded_for(api, db):
    """The proxy appends the address it saw: whatever a client puts before it is ignored."""
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        for n in range(20):
            forwarded = f"203.0.113.{n}, 192.0.2.1"
            response = sign_in(
                api, {"username": f"guess{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=forwarded
            )
            assert response.status_code == 401
        blocked = sign_in(api, {"username": "z", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.1")
        assert blocked.status_code == 429
        other = sign_in(api, {"username": "z", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.2")
        assert other.status_code == 401


@override_settings(
    AGORA_LOGIN_FAILURES_PER_USERNAME=2,
    AGORA_LOGIN_FAILURES_PER_IP=3,
    AGORA_LOGIN_FAILURE_WINDOW_SECONDS=60,
)
def test_the_limits_and_the_window_are_settings(api, shopper, clock):
    assert [sign_in(api, WRONG).status_code for _ in range(3)] == [401, 401, 429]
    clock.now += 60
    codes = [sign_in(api, {"username": f"u{n}", "password": "x"}).status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_the_schema_documents_the_429(api, db):
    schema = api(None).get("/api/schema/?format=json").json()
    responses = schema["paths"]["/api/auth/login/"]["post"]["responses"]
    assert "`throttled`" in responses["429"]["description"]
    assert "401" in responses
