"""A selector never writes: anything that creates rows or takes locks is a service helper."""

import ast
from pathlib import Path

import pytest

WRITES = {
    "select_for_update",
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "save",
}
SELECTORS = sorted(Path(__file__).resolve().parent.parent.glob("apps/*/selectors.py"))


def writes_in(path):
    return [
        f"{path.parent.name}/selectors.py:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITES
    ]


@pytest.mark.parametrize("path", SELECTORS, ids=lambda path: path.parent.name)
def test_a_selector_neither_writes_nor_locks(path):
    assert writes_in(path) == []
