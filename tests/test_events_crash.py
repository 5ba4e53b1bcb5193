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
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from servicelayer.models import Event, EventDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 120


class Celery:
    """A worker and a beat on a broker folder of their own, and their logs."""

    def __init__(self, root: Path) -> None:
        db = connection.settings_dict
        self.root, self.probe = root, root / "probe"
        self.probe.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": f"filesystem://{root / 'broker'}",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(root / "beat-schedule"),
            "CELERY_RESULT_BACKEND": "",
            "AGORA_EVENT_PROBE_DIR": str(self.probe),
        }
        self.processes: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start(self, name: str, *args: str) -> None:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", *args, "-l", "info"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))

    def runs(self) -> list[tuple[int, int]]:
        path = self.probe / "runs"
        lines = path.read_text().splitlines() if path.exists() else []
        return [(int(pid), int(event_id)) for pid, event_id in map(str.split, lines)]

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.root.glob("*.log"))
        )

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {WAIT_SECONDS}s\n{self.logs()}")
            for process, _ in self.processes:
                if process.poll() is not None:
                    pytest.fail(f"{what}: a process exited ({process.args!r})\n{self.logs()}")
            time.sleep(0.2)

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, log in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


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
