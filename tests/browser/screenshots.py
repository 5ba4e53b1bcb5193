"""Where the browser tests' screenshots go: one folder per run, named at the end of the run.

A pytest plugin (registered by the root conftest.py, so that pytest-xdist's controller, which
collects nothing, loads it too): the controller picks the folder once,
`var/browser-screenshots/<UTC timestamp>/` (or `AGORA_SCREENSHOT_DIR`), and passes it to its
workers through the environment; the browser tests' `screenshot` fixture writes there. The
terminal summary names the folder when the run saved any, before pytest's last line.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
ENV = "AGORA_SCREENSHOT_DIR"


def screenshot_dir() -> Path:
    """This run's folder (not created until a screenshot is saved)."""
    return Path(os.environ[ENV]) if os.environ.get(ENV) else _new_dir()


def _new_dir() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return ROOT / "var" / "browser-screenshots" / stamp


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        os.environ.setdefault(ENV, str(_new_dir()))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    folder = screenshot_dir()
    shots = sorted(folder.glob("*.png")) if folder.is_dir() else []
    if shots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(shots)} screenshots in {folder}")
