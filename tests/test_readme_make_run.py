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
SWAGGER_BUNDLE = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
READY = ("Quit the server with CONTROL-C", "celery@", "beat: Starting")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, tuple[int, bytes]]]:
    """`make run` until the API answers and the worker and beat have started: its output, and
    the answers to a few requests made meanwhile."""
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
            while not (all(s in log.read_text() for s in READY) and get(api)[0] == 200):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "make run did not come up:\n" + log.read_text()
                time.sleep(0.5)
            base = f"http://127.0.0.1:{port}"
            fetched = {path: get(base + path) for path in ("/api/docs/", SWAGGER_BUNDLE)}
        finally:
            # Ctrl-C, as a user stops it: honcho stops every process it started
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return log.read_text(), fetched


def test_make_run_says_what_each_step_does(make_run):
    output, _ = make_run
    assert "==> Migrating the database" in output
    assert "==> Loading the demo data" in output
    assert "Agora is starting on http://127.0.0.1:" in output


def test_make_run_serves_swagger_ui_from_its_own_files(make_run):
    # DEBUG: static files straight from the apps' folders (drf_spectacular_sidecar's here)
    _, fetched = make_run
    status, page = fetched["/api/docs/"]
    assert status == 200
    assert SWAGGER_BUNDLE.encode() in page
    status, bundle = fetched[SWAGGER_BUNDLE]
    assert status == 200
    assert b"SwaggerUIBundle" in bundle


def test_make_run_reports_watching_for_file_changes_once(make_run):
    output, _ = make_run
    assert output.count("Watching for file changes") == 1, output
