"""Inputs and outputs of shipping's services and reads."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from apps.countries import COUNTRY_CODES, Country
from servicelayer.dto import DTO, Id, Output


def _distinct_sorted(countries: list[str]) -> list[str]:
    return sorted(set(countries))


ShippingPrice = Annotated[
    Decimal, Field(ge=0, max_digits=10, decimal_places=2, description="What shipping costs.")
]
FreeAbove = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=10,
        decimal_places=2,
        description="Shipping is free when the goods total is at least this much.",
    ),
]
Countries = Annotated[
    list[Country],
    Field(min_length=1, max_length=len(COUNTRY_CODES), description="Where it ships (ISO codes)."),
    AfterValidator(_distinct_sorted),
]


class NewShippingMethod(DTO):
    name: str = Field(min_length=1, max_length=100)
    price: ShippingPrice
    free_above: FreeAbove | None = None
    countries: Countries


class ShippingMethodChanges(DTO):
    """A partial update: only the fields given change; `free_above: null` makes it never free."""

    shipping_method_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=100)
    price: ShippingPrice | None = None
    free_above: FreeAbove | None = None
    countries: Countries | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"shipping_method_id"}
        if not changed:
            raise ValueError("Give at least one of name, price, free_above, countries.")
        for name in changed - {"free_above"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class ShippingMethodRef(DTO):
    shipping_method_id: Id


class ShippingMethodQuery(DTO):
    country: Country | None = Field(default=None, description="Only methods shipping there.")
    include_archived: bool = Field(default=False, description="Merchants only.")


class ShippingMethodOut(Output):
    id: int
    name: str
    price: Decimal
    free_above: Decimal | None
    countries: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


SHIPPING_METHOD_FIELDS = tuple(ShippingMethodOut.model_fields)
