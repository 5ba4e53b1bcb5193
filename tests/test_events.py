"""The outbox (servicelayer.events): an event commits with its change or not at all, the relay
is enqueued once per transaction, and it runs each handler once per event."""

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from servicelayer import events
from servicelayer.events import EventData, event_relay
from servicelayer.models import Event, EventDelivery

pytestmark = pytest.mark.django_db

KIND = "probe.happened"


@pytest.fixture
def handled() -> Iterator[Callable[..., list[EventData]]]:
    """handled(name) registers a handler of KIND that remembers what it saw (and may fail)."""
    registered: list[str] = []

    def register(name: str = "probe", fail: Exception | None = None) -> list[EventData]:
        seen: list[EventData] = []

        def handle(event: EventData) -> None:
            seen.append(event)
            if fail is not None:
                raise fail

        events.handlers.register(KIND, name, handle)
        registered.append(name)
        return seen

    yield register
    for name in registered:
        events.handlers.unregister(KIND, name)


def record(**payload: Any) -> int:
    return events.record(KIND, subject="probe", subject_id=1, owner=None, payload=payload)


def record_then_fail() -> None:
    """A change that records its event, then fails: its transaction rolls back."""
    with transaction.atomic():
        record()
        raise ZeroDivisionError


def test_a_committed_change_leaves_exactly_one_event():
    with transaction.atomic():
        event_id = record(amount=Decimal("12.50"))
    event = Event.objects.get()
    assert (event.pk, event.kind, event.subject, event.subject_id) == (event_id, KIND, "probe", 1)
    assert event.payload == {"amount": "12.50"}  # as JSON carries it: money as a string
    assert event.published_at is None


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(ZeroDivisionError):
        record_then_fail()
    assert not Event.objects.exists()


def test_an_event_outside_a_transaction_is_refused():
    # the test's own transaction does not count: code under test runs as in production
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record()
    assert not Event.objects.exists()


def test_the_relay_is_enqueued_once_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        record()
        record()
        with transaction.atomic():
            record()
    assert len(callbacks) == 1


def test_an_event_in_a_rolled_back_savepoint_leaves_the_relay_to_a_later_event(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(ZeroDivisionError):
            record_then_fail()  # a savepoint of the outer transaction
        record()  # its callback was dropped with the savepoint: this one registers again
    assert len(callbacks) == 1
    assert Event.objects.count() == 1


def test_the_commit_runs_the_relay_which_publishes(django_capture_on_commit_callbacks, handled):
    seen = handled()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = record(note="hello")
    assert [(e.id, e.kind, e.payload) for e in seen] == [(event_id, KIND, {"note": "hello"})]
    assert Event.objects.get().published_at is not None


def test_a_relay_run_twice_runs_each_handler_once(handled):
    first, second = handled("first"), handled("second")
    with transaction.atomic():
        ids = [record(), record()]
    assert event_relay().published == 2
    assert event_relay().published == 0
    assert [e.id for e in first] == ids
    assert [e.id for e in second] == ids
    assert EventDelivery.objects.count() == 4


def test_a_failing_handler_leaves_the_event_for_the_sweep_and_the_others_done(handled):
    good = handled("good")
    bad = handled("bad", fail=ValueError("smtp down"))
    with transaction.atomic():
        event_id = record()
    result = event_relay()
    assert (result.published, result.failed) == (0, [event_id])
    event = Event.objects.get()
    assert event.published_at is None
    assert (event.attempts, event.last_error) == (1, "bad: ValueError: smtp down")
    events.handlers.unregister(KIND, "bad")
    events.handlers.register(KIND, "bad", lambda event: bad.append(event))
    assert event_relay().published == 1  # the sweep
    assert len(good) == 1  # its delivery had committed: not run again
    assert len(bad) == 2


def test_a_failing_handler_s_writes_are_undone_with_it(handled, make_user):
    def write_then_fail(event: EventData) -> None:
        make_user(username="written-by-a-handler")
        raise ValueError("after writing")

    events.handlers.register(KIND, "writes", write_then_fail)
    try:
        with transaction.atomic():
            record()
        event_relay()
    finally:
        events.handlers.unregister(KIND, "writes")
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="written-by-a-handler").exists()
    assert not EventDelivery.objects.exists()


def test_events_without_handlers_are_published_too():
    with transaction.atomic():
        record()
    assert event_relay().published == 1
    assert Event.objects.get().attempts == 1


def test_a_handler_name_is_unique_per_kind():
    def one(event: EventData) -> None: ...

    def other(event: EventData) -> None: ...

    events.handler(KIND, name="unique")(one)
    try:
        with pytest.raises(ValueError, match="registered"):
            events.handler(KIND, name="unique")(other)
    finally:
        events.handlers.unregister(KIND, "unique")


def test_a_backlog_beyond_one_run_is_handed_to_the_next(monkeypatch):
    monkeypatch.setattr(events, "MAX_BATCHES_PER_RUN", 1)
    monkeypatch.setattr(events, "BATCH", 2)
    handed_over: list[bool] = []
    monkeypatch.setattr(events, "_enqueue_relay", lambda: handed_over.append(True))
    with transaction.atomic():
        for _ in range(3):
            record()
    assert event_relay().published == 2
    assert handed_over == [True]
    assert event_relay().published == 1
