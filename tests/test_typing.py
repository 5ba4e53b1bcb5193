"""A service's signature is its one declaration: mypy refuses a call with a dict, the wrong DTO
or a DTO missing a field, and accepts the right one (runs mypy with the project's settings)."""

import textwrap
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]

HEADER = """
from django.contrib.auth.models import User

from apps.catalog.dto import NewProduct, ProductOut, ProductRef
from apps.catalog.services import product_create
"""


def mypy(tmp_path: Path, name: str, body: str) -> tuple[list[str], int]:
    source = tmp_path / f"{name}.py"
    source.write_text(HEADER + textwrap.dedent(body))
    # the project's cache: warm after `mypy .`, about 20 s to fill when cold
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(source),
        ]
    )
    assert stderr == ""
    return [line for line in stdout.splitlines() if ": error:" in line], status


def test_mypy_refuses_a_dict_the_wrong_dto_and_a_missing_field(tmp_path):
    errors, status = mypy(
        tmp_path,
        "wrong_calls",
        """
        def calls(user: User) -> None:
            product_create(actor=user, data={"name": "Mug", "price": "1.00"})
            product_create(actor=user, data=ProductRef(product_id=1))
            product_create(actor=user, data=NewProduct(name="Mug"))
            product_create(data=NewProduct(name="Mug", price="1.00"))
        """,
    )
    assert status == 1
    assert len(errors) == 4, errors
    dict_call, wrong_dto, missing_field, no_actor = errors
    assert '"dict[str, str]"; expected "NewProduct"  [arg-type]' in dict_call
    assert '"ProductRef"; expected "NewProduct"  [arg-type]' in wrong_dto
    assert 'Missing named argument "price" for "NewProduct"  [call-arg]' in missing_field
    assert 'Missing named argument "actor"' in no_actor


def test_mypy_accepts_the_services_own_dto_and_knows_its_result(tmp_path):
    errors, status = mypy(
        tmp_path,
        "right_calls",
        """
        def calls(user: User) -> ProductOut:
            return product_create(actor=user, data=NewProduct(name="Mug", price="1.00"))
        """,
    )
    assert (errors, status) == ([], 0)
