"""The custom import-linter contract really refuses imports around an app's interface."""

import grimp
import pytest

from tools.importlinter_contracts import InterfaceOnlyContract


def graph_with(*imports):
    graph = grimp.ImportGraph()
    for module in [
        "apps",
        "apps.roles",
        "apps.shop",
        "apps.shop.interface",
        "apps.shop.models",
        "apps.shop.tests",
        "apps.shop.tests.test_x",
        "apps.desk",
        "apps.desk.services",
        "apps.desk.tests",
        "apps.desk.tests.test_y",
    ]:
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def check(*imports):
    contract = InterfaceOnlyContract(
        name="interface only",
        session_options={},
        contract_options={
            "container": "apps",
            "interface": "interface",
            "ignore_children": ["tests"],
        },
    )
    return contract.check(graph_with(*imports), verbose=False)


def test_importing_another_apps_interface_is_kept():
    result = check(
        ("apps.desk.services", "apps.shop.interface"), ("apps.desk.services", "apps.roles")
    )
    assert result.kept


@pytest.mark.parametrize("target", ["apps.shop.models", "apps.shop"])
def test_importing_anything_else_of_another_app_is_broken(target):
    result = check(("apps.desk.services", target))
    assert not result.kept
    assert result.metadata["violations"] == [("apps.desk.services", target)]


def test_an_app_may_import_its_own_modules_and_tests_may_import_anything():
    result = check(
        ("apps.shop.interface", "apps.shop.models"),
        ("apps.desk.tests.test_y", "apps.shop.models"),
    )
    assert result.kept
