"""`make run`, as the README tells a new user to start Agora: it says what each step does,
starts the API, a worker, beat and the supplier, and the web server reports once that it
watches for file changes (not once per process or per restart).

The run uses its own database, broker folder and ports; `-o install` keeps the test from
installing anything (the virtualenv is the suite's own).
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READY = ("Quit the server with CONTROL-C", "celery@", "beat: Starting")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """`make run` until the API answers and the worker and beat have started; its output."""
    folder = tmp_path_factory.mktemp("make-run")
    port, supplier = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "CELERY"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_URL": f"filesystem://{folder / 'broker'}",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(folder / "beat-schedule"),
    }
    env.pop("SUPPLIER_URL", None)
    log = folder / "make-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", "install", "run", f"PORT={port}",
             f"SUPPLIER_PORT={supplier}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 180
            api = f"http://127.0.0.1:{port}/api/"
            while not (all(s in log.read_text() for s in READY) and answers(api)):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "make run did not come up:\n" + log.read_text()
                time.sleep(0.5)
        finally:
            # Ctrl-C, as a user stops it: honcho stops every process it started
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return log.read_text(), api


def test_make_run_says_what_each_step_does(make_run):
    output, _ = make_run
    assert "==> Migrating the database" in output
    assert "==> Loading the demo data" in output
    assert "Agora is starting on http://127.0.0.1:" in output


def test_make_run_reports_watching_for_file_changes_once(make_run):
    output, _ = make_run
    assert output.count("Watching for file changes") == 1, output
