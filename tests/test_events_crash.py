"""The relay killed mid-delivery, for real: a Celery worker (prefork) and beat on PostgreSQL.

The worker's pool process is killed (SIGKILL) after a handler made its effect and before the
event is marked published. The transaction it held dies with it, so the effect and the
delivery go together; the redelivered task (or beat's sweep) runs the handler again and
publishes every event: each effect is there once, no event is lost.

The broker is the embedded file broker in a folder of the test's own (no server, no other
test's messages); the database is the test database, shared with the worker, so PostgreSQL.
The test waits by polling, with generous limits, and never asserts how long anything took.
"""

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from servicelayer.models import Event, EventDelivery
from tests.celery_stack import CeleryStack, postgres_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Celery(CeleryStack):
    """A worker and a beat on a broker folder of their own, and their logs."""

    def __init__(self, root: Path) -> None:
        self.probe = root / "probe"
        self.probe.mkdir()
        super().__init__(
            root, postgres_url(connection.settings_dict), AGORA_EVENT_PROBE_DIR=str(self.probe)
        )

    def runs(self) -> list[tuple[int, int]]:
        path = self.probe / "runs"
        lines = path.read_text().splitlines() if path.exists() else []
        return [(int(pid), int(event_id)) for pid, event_id in map(str.split, lines)]


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[Celery]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE event_probe_effects (event_id bigint, pid integer)")
    stack = Celery(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE event_probe_effects")


def effects() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT event_id FROM event_probe_effects ORDER BY event_id")
        return [event_id for (event_id,) in cursor.fetchall()]


def test_a_relay_killed_between_handling_and_marking_loses_nothing_and_doubles_nothing(
    celery,
):
    # three committed events that no relay has published (as after a crash right after commit)
    ids = [
        Event.objects.create(kind="probe.crashed", subject="probe", subject_id=n).pk
        for n in range(3)
    ]
    celery.start(
        "worker",
        *("-A", "config", "worker", "-I", "tests.event_probes", "--pool", "prefork"),
        *("--concurrency", "1", "-n", "events@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    )
    celery.start("beat", "-A", "tests.event_probes", "beat")
    celery.wait_until(lambda: len(celery.runs()) == 1, "the sweep runs the first handler")
    [(pid, first_event)] = celery.runs()
    assert first_event == ids[0]
    os.kill(pid, signal.SIGKILL)  # its effect is written, its event not yet marked
    (celery.probe / "release").touch()

    def all_published() -> bool:
        return not Event.objects.filter(published_at__isnull=True).exists()

    celery.wait_until(all_published, "the redelivered relay or the sweep publishes every event")
    assert effects() == ids  # each effect once: the killed one went with its transaction
    runs = celery.runs()
    assert [event_id for _, event_id in runs] == [ids[0], *ids]  # the first ran again
    assert runs[1][0] != pid  # in another pool process
    assert EventDelivery.objects.count() == 3
