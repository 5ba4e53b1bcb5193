"""The event relay's publishes coalesce (servicelayer.events._enqueue_relay): while a relay
task is queued and not started, further commits publish none; the task clears the flag
before it reads events, so an event committed before the clear is relayed by it and one
committed after gets a task of its own; a failing flag store or publish falls back to
publishing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction

from servicelayer import events, tasks
from servicelayer.events import RELAY_CACHE, RELAY_PENDING_KEY, EventData, event_relay
from servicelayer.models import Event

# real commits: on-commit callbacks run as in production (in a test's transaction the first
# one's callback stays pending, and a later record would not register its own)
pytestmark = pytest.mark.django_db(transaction=True)

KIND = "probe.coalesced"


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[Any, ...]]:
    """The relay tasks published (not run: a queued task that has not started yet)."""
    settings.AGORA_RELAY_PENDING_SECONDS = 30
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.run_service, "delay", lambda *args, **kw: sent.append(args))
    return sent


@pytest.fixture
def seen() -> Iterator[list[int]]:
    handled: list[int] = []

    def handle(event: EventData) -> None:
        handled.append(event.id)

    events.handlers.register(KIND, "probe", handle)
    yield handled
    events.handlers.unregister(KIND, "probe")


def commit_event() -> int:
    """One transaction that writes an event, committed: its on-commit callbacks run."""
    with transaction.atomic():
        return events.record(KIND, subject="probe", subject_id=1)


def test_commits_while_a_task_is_pending_publish_no_other(published, seen):
    first = commit_event()
    second = commit_event()  # the task has not started
    assert published == [("event_relay", None)]
    assert event_relay().published == 2  # the pending task relays the second event too
    assert seen == [first, second]
    assert not Event.objects.filter(published_at__isnull=True).exists()


def test_an_event_committed_after_the_relay_cleared_the_flag_gets_a_new_task(published, seen):
    commit_event()
    assert event_relay().published == 1  # the task runs: it clears the flag first
    later = commit_event()
    assert len(published) == 2
    assert event_relay().published == 1
    assert seen[-1] == later


def test_an_event_committed_while_the_relay_runs_gets_a_new_task(published, seen):
    """The clear comes before the relay's first read: a commit during the run (here, from a
    handler of the first event) cannot count on the running task and publishes another."""
    committed: list[int] = []

    def commit_another(event: EventData) -> None:
        if not committed:
            committed.append(commit_event())

    events.handlers.register(KIND, "another", commit_another)
    try:
        commit_event()
        event_relay()
    finally:
        events.handlers.unregister(KIND, "another")
    assert len(published) == 2
    event_relay()
    assert committed[0] in seen


def test_when_the_flag_store_is_down_every_commit_publishes(published, monkeypatch):
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(caches[RELAY_CACHE], "add", down)
    monkeypatch.setattr(caches[RELAY_CACHE], "delete", down)
    commit_event()
    commit_event()
    assert len(published) == 2
    assert event_relay().published == 2  # and the relay runs without its flag


def test_a_failed_publish_clears_the_flag_so_the_next_commit_publishes(published, monkeypatch):
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the broker is down")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.run_service, "delay", broker_down)
        commit_event()  # logged, not raised (robust)
    assert caches[RELAY_CACHE].get(RELAY_PENDING_KEY) is None
    commit_event()
    assert published == [("event_relay", None)]


def test_without_coalescing_every_commit_publishes(published, settings):
    settings.AGORA_RELAY_PENDING_SECONDS = 0  # the embedded default: a per-process cache
    commit_event()
    commit_event()
    assert len(published) == 2
    assert caches[RELAY_CACHE].get(RELAY_PENDING_KEY) is None
