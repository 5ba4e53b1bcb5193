"""Relays at once on PostgreSQL: each handler handles each event once, whoever runs it."""

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from servicelayer import events
from servicelayer.events import EventData, event_relay
from servicelayer.models import Event, EventDelivery
from tests.races import WAIT, run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KIND = "probe.raced"


@pytest.fixture
def handled() -> Iterator[list[int]]:
    """The ids of the events the probe handler saw, once per run (threads append)."""
    seen: list[int] = []
    events.handlers.register(KIND, "probe", lambda event: seen.append(event.id))
    yield seen
    events.handlers.unregister(KIND, "probe")


def committed_events(count: int) -> list[int]:
    # written as a change would, minus the relay it enqueues: the test runs relays itself
    return [Event.objects.create(kind=KIND, subject="probe", subject_id=n).pk for n in range(count)]


def test_concurrent_relays_handle_each_event_once(handled):
    ids = committed_events(25)
    results = run_all([event_relay] * 4)
    assert sum(result.published for result in results) == 25
    assert sorted(handled) == ids
    assert EventDelivery.objects.count() == 25
    assert not Event.objects.filter(published_at__isnull=True).exists()


def test_a_relay_skips_an_event_another_relay_holds_and_the_next_run_publishes_it(handled):
    [held_id, free_id] = committed_events(2)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:  # another relay, mid-delivery of the first event
        try:
            with transaction.atomic():
                Event.objects.select_for_update().get(pk=held_id)
                holding.set()
                release.wait(timeout=WAIT)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=WAIT)
        assert event_relay().published == 1  # did not wait for the held one
        assert handled == [free_id]
    finally:
        release.set()
        holder.join(timeout=WAIT)
    assert event_relay().published == 1
    assert handled == [free_id, held_id]


def test_the_handler_s_effect_and_its_delivery_commit_together(make_user):
    """A handler's writes are in the delivery's transaction: a second run finds the delivery
    and writes nothing again (here, the handler makes a user per event)."""

    def make_a_user(event: EventData) -> None:
        make_user(username=f"for-event-{event.id}")

    events.handlers.register(KIND, "users", make_a_user)
    try:
        [event_id] = committed_events(1)
        run_all([event_relay] * 3)
        event_relay()
    finally:
        events.handlers.unregister(KIND, "users")
    from django.contrib.auth.models import User

    assert User.objects.filter(username=f"for-event-{event_id}").count() == 1
