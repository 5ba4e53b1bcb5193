"""The README's walk-through, run as a reader runs it: its shell block, in bash with curl and
python3, against a live server with the demo data, twice (each run orders and pays again, under
fresh idempotency keys, and shows a replay). Every request must succeed: here curl fails on an
HTTP error, and the shell stops at the first failure."""

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"<!-- walk-through:[^>]*-->\n```sh\n(.*?)```", re.S)
# what the test adds before the block: stop at the first failure, and make curl fail on a 4xx
# or 5xx answer (the README's curl shows the answer whatever its status)
PRELUDE = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'


def answers(output: str) -> list[dict]:
    """The JSON objects the walk-through printed, one a line."""
    found = []
    for line in output.splitlines():
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if isinstance(answer, dict):
            found.append(answer)
    return found


def walkthrough() -> str:
    found = BLOCK.search(README.read_text())
    assert found, "README.md has no block marked <!-- walk-through: ... -->"
    return found.group(1)


def test_the_walkthrough_talks_to_the_default_address():
    assert walkthrough().startswith("A=localhost:8000 ")


@pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl") and shutil.which("python3")),
    reason="needs bash, curl and python3, as the README says",
)
def test_the_walkthrough_works_twice(live_server, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    address = live_server.url.removeprefix("http://")
    script = tmp_path / "walkthrough.sh"
    script.write_text(PRELUDE + walkthrough().replace("A=localhost:8000", f"A={address}", 1))
    orders = []
    for _ in range(2):
        run = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        # the retry is answered from the first answer
        assert "Idempotent-Replayed: true" in run.stdout
        payments = [answer for answer in answers(run.stdout) if "order_id" in answer]
        assert len(payments) == 2, run.stdout  # the payment, and its replay
        first, replay = payments
        assert first == replay  # the same JSON (PostgreSQL may store its keys in another order)
        assert (first["status"], first["amount"]) == ("succeeded", "29.90")
        orders.append(first["order_id"])
    assert orders[0] != orders[1]  # the second run ordered again
