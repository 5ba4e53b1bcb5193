import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture(scope="session")
def supplier_sim_url() -> Iterator[str]:
    """supplier_sim in its own process, on a free port: RoomLine at the root, StayHub under
    /stayhub. Started once; tests reset what they use."""
    process = subprocess.Popen(
        [sys.executable, "-m", "supplier_sim", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "supplier_sim listening on http://127.0.0.1:PORT"
        assert "listening on" in line, line
        url = line.rsplit(" ", 1)[-1].strip()
        httpx.get(f"{url}/health", timeout=5).raise_for_status()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
