"""Health probes: live without I/O, ready checking database, cache and broker; open to anyone."""

import socket

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from servicelayer import health
from tests.settings_env import production_settings

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("path", ["/health/live", "/health/live/"])
def test_live_answers_ok(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_does_no_io(client: Client, django_assert_num_queries, monkeypatch) -> None:
    monkeypatch.setattr(health, "run_checks", lambda: pytest.fail("live ran the checks"))
    with django_assert_num_queries(0):
        assert client.get("/health/live").status_code == 200


@pytest.mark.parametrize("path", ["/health/ready", "/health/ready/"])
def test_ready_on_the_test_database_is_ok(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "cache": {"status": "ok"},
            "broker": {"status": "skipped", "reason": "not configured"},
        },
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_ready_is_503_when_the_database_fails(client: Client, monkeypatch) -> None:
    def broken() -> None:
        raise OperationalError("connection to server at 10.0.0.9 failed, password=hunter2")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "failed", "error": "OperationalError"}
    assert body["checks"]["cache"] == {"status": "ok"}
    assert b"hunter2" not in response.content  # the reason, never the message


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_ready_is_503_when_the_cache_does_not_keep_a_key(client: Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "failed", "error": "LookupError"}


def test_ready_is_503_when_the_cache_cannot_be_reached(client: Client) -> None:
    unreachable = f"redis://127.0.0.1:{closed_port()}/0"
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": unreachable}
    with override_settings(CACHES={"default": cache}):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "failed"


@pytest.mark.parametrize(
    "scheme", ["redis://127.0.0.1:{port}/0", "amqp://guest:s3cret@127.0.0.1:{port}//"]
)
def test_ready_is_503_when_the_broker_port_is_closed(client: Client, scheme: str) -> None:
    with override_settings(CELERY_BROKER_URL=scheme.format(port=closed_port())):
        response = client.get("/health/ready")
    assert response.status_code == 503, response.content
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "failed"
    assert b"s3cret" not in response.content
    assert response.json()["checks"]["database"] == {"status": "ok"}


def test_a_check_that_hangs_fails_in_time(client: Client, monkeypatch) -> None:
    import threading

    release = threading.Event()
    monkeypatch.setattr(health, "check_cache", lambda: release.wait(5))
    try:
        with override_settings(HEALTH_CHECK_TIMEOUT_SECONDS=0.05):
            response = client.get("/health/ready")
    finally:
        release.set()
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {
        "status": "failed",
        "error": "no answer within 0.05s",
    }


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_probes_need_no_sign_in_and_are_never_throttled(client: Client, settings, path) -> None:
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1/day"},
    }
    for _ in range(5):
        assert client.get(path).status_code == 200


def test_probes_take_no_session_and_no_csrf(client: Client) -> None:
    response = client.get("/health/ready")
    assert not response.cookies
    assert client.post("/health/ready").status_code == 405  # GET and HEAD only
    assert client.head("/health/live").status_code == 200


def test_behind_tls_the_probes_answer_plain_http_while_the_api_redirects() -> None:
    production = production_settings()
    with override_settings(
        SECURE_SSL_REDIRECT=production["SECURE_SSL_REDIRECT"],
        SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"],
    ):
        client = Client()  # builds its middleware with these settings
        assert client.get("/api/").status_code == 301
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready/").status_code == 200
