"""The API's shape is pinned: a change to paths, parameters or responses is a deliberate diff."""

import pytest
from django.core.management import CommandError, call_command

from servicelayer.management.commands.api_snapshot import render


def test_the_api_matches_its_committed_snapshot():
    call_command("api_snapshot", "--check")  # on failure: `make api-snapshot`, review, commit


def test_a_change_to_the_api_fails_the_check_with_a_diff(tmp_path, capsys):
    stale = tmp_path / "snapshot.txt"
    stale.write_text(render().replace("POST /api/orders/  order_place", "POST /api/order/  x", 1))
    with pytest.raises(CommandError, match="The API changed"):
        call_command("api_snapshot", "--check", "--file", str(stale))
    assert "+POST /api/orders/  order_place  [ordering]" in capsys.readouterr().err


def test_the_snapshot_lists_parameters_and_error_codes_per_status():
    text = render()
    block = text.split("POST /api/orders/  order_place  [ordering]\n", 1)[1].split("\n\n", 1)[0]
    assert "  param header:Idempotency-Key (optional)" in block
    assert "out_of_stock" in next(line for line in block.splitlines() if line.startswith("  409"))
