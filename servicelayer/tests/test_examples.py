"""Example bodies built from an input model's schema: valid input wherever the schema alone
decides (types, bounds, formats, patterns, enums)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

import pytest
from pydantic import Field, HttpUrl

from servicelayer.dto import DTO, Id, validate_input
from servicelayer.errors import InvalidInput
from servicelayer.rest.examples import example_of


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(DTO):
    label: str = Field(min_length=3, max_length=5)


class Everything(DTO):
    thing_id: Id
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(pattern=r"^[A-Z]{2}$")
    token: str = Field(pattern=r"^(tok|pm)_[A-Za-z0-9_]+$")
    price: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    count: int = Field(ge=-5, le=0)
    colour: Colour
    mode: Literal["fast", "slow"]
    tags: list[str] = Field(min_length=2, max_length=3)
    inner: Inner
    homepage: HttpUrl
    email: str = Field(max_length=254)  # a plain string: its name says what it holds
    start_date: date
    end_date: date
    note: str = ""
    optional: str | None = None


class Changes(DTO):
    name: str | None = Field(default=None, min_length=1)
    count: int | None = Field(default=None, ge=1)


def test_an_example_is_valid_input():
    example = example_of(Everything)
    validate_input(Everything, example)
    assert len(example["code"]) == 2
    assert example["token"].startswith("tok_")
    assert (example["colour"], example["mode"]) == ("red", "fast")
    assert len(example["tags"]) == 2
    assert example["end_date"] > example["start_date"]


def test_required_fields_and_defaults_are_shown_optional_ones_are_not():
    example = example_of(Everything)
    assert example["note"] == ""
    assert "optional" not in example


def test_a_partial_update_shows_every_field_to_change():
    assert example_of(Changes) == {"name": "string", "count": 1}


def test_a_field_of_its_own_example_gives_it():
    class Payment(DTO):
        card_token: str = Field(examples=["tok_visa"], max_length=5)

    assert example_of(Payment) == {"card_token": "tok_visa"}
    with pytest.raises(InvalidInput):  # the author's example is taken as it is
        validate_input(Payment, example_of(Payment))
