"""Inputs and outputs of the catalog's services and reads."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from servicelayer.dto import DTO, Id, Output

CENT = Decimal("0.01")


def money(value: Decimal | float | str) -> Decimal:
    """An amount quantized to the currency's minor unit: "12.5" becomes Decimal("12.50")."""
    return Decimal(str(value)).quantize(CENT)


Price = Annotated[
    Decimal,
    Field(gt=0, max_digits=10, decimal_places=2, description="Unit price."),
    AfterValidator(money),
]
# The most units a merchant may stock: a product's creation, `set_to` and a restock never take
# stock above it. Units given back by canceled or expired orders may (catalog.interface).
MAX_STOCK = 1_000_000


class NewProduct(DTO):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    price: Price
    stock: int = Field(default=0, ge=0, le=MAX_STOCK)
    ships: bool = Field(default=True, description="Sent as a parcel; false for digital goods.")


class ProductChanges(DTO):
    """A partial update: only the fields given change."""

    product_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    price: Price | None = None
    ships: bool | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"product_id"}
        if not changed:
            raise ValueError("Give at least one of name, description, price, ships.")
        for name in changed:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class StockChange(DTO):
    """Either `delta` (a restock, or a write-off if negative) or `set_to` (a stock count)."""

    product_id: Id
    delta: int | None = Field(default=None, ge=-MAX_STOCK, le=MAX_STOCK)
    set_to: int | None = Field(default=None, ge=0, le=MAX_STOCK)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.delta is None) == (self.set_to is None):
            raise ValueError("Give exactly one of delta and set_to.")
        return self


class ProductRef(DTO):
    product_id: Id


class ProductQuery(DTO):
    search: str | None = Field(default=None, max_length=100, description="Name contains.")
    min_price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    max_price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    in_stock: bool | None = Field(default=None, description="Only products with stock (true).")
    include_archived: bool = Field(default=False, description="Merchants only.")
    ordering: Literal["name", "-name", "price", "-price", "newest", "oldest"] = "newest"
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class ProductOut(Output):
    id: int
    name: str
    description: str
    price: Decimal
    stock: int
    is_active: bool
    ships: bool
    created_at: datetime
    updated_at: datetime


PRODUCT_FIELDS = tuple(ProductOut.model_fields)
