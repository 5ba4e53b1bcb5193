"""A service's signature is its one declaration: mypy refuses a call with a dict, the wrong DTO
or a DTO missing a field, and accepts the right one (runs mypy with the project's settings, once
for every case: each case is a file of its own, and its errors are those mypy names it in)."""

import textwrap
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[1]

HEADER = """
from django.contrib.auth.models import User

from apps.catalog.dto import NewProduct, ProductOut, ProductRef
from apps.catalog.services import product_create
"""

CASES = {
    "wrong_calls": """
        def calls(user: User) -> None:
            product_create(actor=user, data={"name": "Mug", "price": "1.00"})
            product_create(actor=user, data=ProductRef(product_id=1))
            product_create(actor=user, data=NewProduct(name="Mug"))
            product_create(data=NewProduct(name="Mug", price="1.00"))
        """,
    "right_calls": """
        def calls(user: User) -> ProductOut:
            return product_create(actor=user, data=NewProduct(name="Mug", price="1.00"))
        """,
}


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each case's errors, in order; one mypy run (most of its time is loading the project)."""
    folder = tmp_path_factory.mktemp("typing")
    sources = {name: folder / f"{name}.py" for name in CASES}
    for name, source in sources.items():
        source.write_text(HEADER + textwrap.dedent(CASES[name]))
    # the project's cache: warm after `mypy .`, about 20 s to fill when cold
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *map(str, sources.values()),
        ]
    )
    assert stderr == ""
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    # by file name: for a file it has seen before, mypy's cache may name the folder it was in
    by_case = {
        name: [e for e in errors if e.split(":", 1)[0].endswith(f"/{name}.py")] for name in CASES
    }
    assert sum(map(len, by_case.values())) == len(errors), errors  # none outside the cases
    assert status == (1 if errors else 0)
    return by_case


def test_mypy_refuses_a_dict_the_wrong_dto_and_a_missing_field(mypy_errors):
    errors = mypy_errors["wrong_calls"]
    assert len(errors) == 4, errors
    dict_call, wrong_dto, missing_field, no_actor = errors
    assert '"dict[str, str]"; expected "NewProduct"  [arg-type]' in dict_call
    assert '"ProductRef"; expected "NewProduct"  [arg-type]' in wrong_dto
    assert 'Missing named argument "price" for "NewProduct"  [call-arg]' in missing_field
    assert 'Missing named argument "actor"' in no_actor


def test_mypy_accepts_the_services_own_dto_and_knows_its_result(mypy_errors):
    assert mypy_errors["right_calls"] == []
