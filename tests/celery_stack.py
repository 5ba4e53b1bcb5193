"""Real Celery processes for the tests that need them: a worker and beat on the embedded file
broker in a folder of the test's own, their logs, a wait that fails with those logs, and a
stop that kills each process with its pool. tests/test_embedded_worker.py (SQLite) and
tests/test_events_crash.py (PostgreSQL) build their stacks on it."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import pytest
from django.conf import settings

WAIT_SECONDS = 120


def postgres_url(db: Mapping[str, Any]) -> str:
    """DATABASE_URL for a process of its own on the test database (`connection.settings_dict`)."""
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryStack:
    """Celery processes started on the file broker under `root`, with `database_url`."""

    def __init__(self, root: Path, database_url: str, **env: str) -> None:
        self.root = root
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": f"filesystem://{root / 'broker'}",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(root / "beat-schedule"),
            "CELERY_RESULT_BACKEND": "",
            **env,
        }
        self.processes: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")  # a restart adds to it
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", *args, "-l", "info"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: stop() ends its pool processes too
        )
        self.processes.append((process, log))
        return process

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
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill every process started, with its pool processes; the logs stay for the next."""
        # Killed, not shut down warm: every test has asserted what it proves by now, and a warm
        # shutdown only waits (the consumer's 2 s drain, the pool's 1 s ticks).
        for process, log in self.processes:
            with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            log.close()
        self.processes.clear()
