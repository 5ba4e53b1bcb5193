"""A task that meets an unavailable dependency: a system job is retried later, with backoff; a
user's service is not (its 503 is an answer). In process (eager) nothing is retried."""

from dataclasses import dataclass
from typing import Any

import pytest
from celery.exceptions import Retry

from servicelayer import tasks
from servicelayer.errors import Unavailable
from servicelayer.roles import SYSTEM, Access, Role
from servicelayer.tasks import RETRY_BACKOFF_MAX_SECONDS, retry_delay, run_service


@dataclass
class DownService:
    role: Role

    def call(self, *, actor: Any, data: Any) -> Any:
        raise Unavailable()


@pytest.fixture
def retries(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []

    def retry(**kwargs: Any) -> Retry:
        asked.append(kwargs)
        return Retry()

    monkeypatch.setattr(run_service, "retry", retry)
    return asked


def run_on_a_worker(role: Role, monkeypatch: pytest.MonkeyPatch, retries_so_far: int = 0) -> None:
    monkeypatch.setattr(tasks.registry, "get", lambda name: DownService(role))
    run_service.push_request(is_eager=False, retries=retries_so_far)
    try:
        run_service.run("some_job")
    finally:
        run_service.pop_request()


def test_a_system_job_is_retried_later(monkeypatch, retries):
    with pytest.raises(Retry):
        run_on_a_worker(SYSTEM, monkeypatch, retries_so_far=2)
    [asked] = retries
    assert isinstance(asked["exc"], Unavailable)
    assert 20 <= asked["countdown"] <= 40  # the third try waits about 4 times the first


def test_a_users_service_is_not_retried(monkeypatch, retries):
    shopper = Role("shopper", Access.AUTHENTICATED)
    with pytest.raises(Unavailable):
        run_on_a_worker(shopper, monkeypatch)
    assert retries == []


def test_in_process_the_caller_sees_the_error(monkeypatch, retries):
    monkeypatch.setattr(tasks.registry, "get", lambda name: DownService(SYSTEM))
    with pytest.raises(Unavailable):
        run_service.apply(args=["some_job"]).get()
    assert retries == []


@pytest.mark.parametrize("retries_so_far", [0, 1, 5, 30])
def test_backoff_doubles_up_to_a_cap(retries_so_far):
    ceiling = min(RETRY_BACKOFF_MAX_SECONDS, tasks.RETRY_BACKOFF_SECONDS * 2**retries_so_far)
    assert ceiling / 2 <= retry_delay(retries_so_far) <= ceiling
