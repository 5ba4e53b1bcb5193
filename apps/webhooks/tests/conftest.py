"""Webhooks' fixtures: a local receiver, settings that let it receive, a clock to move, and
events relayed as the outbox relays them."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.webhooks.dto import NewWebhookEndpoint, WebhookEndpointWithSecret
from apps.webhooks.services import webhook_endpoint_create
from apps.webhooks.tests import receiver as receiver_module
from apps.webhooks.tests.receiver import Receiver
from servicelayer import events
from servicelayer.events import event_relay


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver is on 127.0.0.1
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.WEBHOOK_RETRY_JITTER = 0.0  # exact schedules; test_backoff checks the jitter
    settings.WEBHOOK_MAX_ATTEMPTS = 5


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = receiver_module.start()
    yield found
    receiver_module.stop(server)


class Clock:
    """timezone.now, held still and moved by hand: schedules are checked, never waited for."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", held)
    return held


@pytest.fixture
def make_endpoint(merchant: Any) -> Callable[..., WebhookEndpointWithSecret]:
    def make(url: str, kinds: tuple[str, ...] = ("order.paid",), **extra: Any) -> Any:
        data = NewWebhookEndpoint(url=url, event_types=list(kinds), **extra)
        return webhook_endpoint_create(actor=merchant, data=data)

    return make


@pytest.fixture
def relay(
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., int]:
    """relay(kind, **payload) records an event as a change would and runs the relay, with the
    tasks it enqueues on commit (the deliveries); the event's id."""

    def run(kind: str = "order.paid", subject_id: int = 42, **payload: Any) -> int:
        with transaction.atomic():
            event_id = events.record(
                kind, subject="order", subject_id=subject_id, owner=7, payload=payload
            )
        with django_capture_on_commit_callbacks(execute=True):
            event_relay()
        return event_id

    return run


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """run_tasks(job) runs a job and the tasks it enqueues on commit, as a worker would."""

    def run(job: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return job()

    return run
