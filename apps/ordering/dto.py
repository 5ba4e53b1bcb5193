"""Inputs and outputs of ordering's services and reads."""

from datetime import datetime
from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from servicelayer.dto import DTO, Id, Output

MAX_QUANTITY = 1000
Quantity = Field(ge=1, le=MAX_QUANTITY, description=f"Units, 1 to {MAX_QUANTITY}.")
# The largest order total: what Order.total and Payment.amount (max_digits=12,
# decimal_places=2) hold. The largest price times MAX_QUANTITY is more, so an order's (and a
# basket's) total is checked against it before anything is written.
MAX_ORDER_TOTAL = Decimal("9999999999.99")


class _NamesAVariant(DTO):
    """Names what is sold: `variant_id`, or `product_id` alone when it has one variant."""

    product_id: Id | None = Field(
        default=None, description="Enough alone when the product has one variant."
    )
    variant_id: Id | None = Field(default=None, description="The variant (SKU) wanted.")

    @model_validator(mode="after")
    def _names_one(self) -> Self:
        if self.product_id is None and self.variant_id is None:
            raise ValueError("Give variant_id (or product_id, if it has one variant).")
        return self


class NewOrder(_NamesAVariant):
    quantity: int = Quantity


class OrderLineCount(DTO):
    order_id: Id
    quantity: int = Quantity
    product_id: Id | None = Field(
        default=None, description="Which line; may be left out when the order has one line."
    )
    variant_id: Id | None = Field(
        default=None, description="Which line, when the order has several of the product."
    )


class OrderRef(DTO):
    order_id: Id


class OrderShippingAddress(DTO):
    """Which address of your book the order is sent to (it is copied onto the order)."""

    order_id: Id
    address_id: Id


class OrderShippingMethod(DTO):
    """Which shipping method sends the order."""

    order_id: Id
    shipping_method_id: Id


class OrderQuery(DTO):
    status: (
        Literal["awaiting_payment", "paid", "shipped", "delivered", "canceled", "expired"] | None
    ) = Field(default=None, description="Only orders with this status.")
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class OrderLineOut(Output):
    product_id: int
    variant_id: int
    product_name: str
    sku: str = Field(description="The variant's SKU when ordered.")
    attributes: dict[str, str] = Field(description="The variant's own values when ordered.")
    quantity: int
    unit_price: Decimal
    line_total: Decimal


class ShippingAddressOut(Output):
    """The address copied onto the order: the address book's later edits do not change it."""

    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str


class ChosenShippingMethodOut(Output):
    id: int
    name: str = Field(description="Its name when chosen.")


class OrderOut(Output):
    id: int
    customer: str
    status: str
    lines_total: Decimal = Field(description="The lines' totals added up.")
    shipping_cost: Decimal = Field(description="0 until a method is chosen, or when free.")
    total: Decimal = Field(description="lines_total + shipping_cost: what is charged.")
    needs_shipping: bool = Field(
        description="Some line is sent as a parcel: paying needs an address and a method."
    )
    shipping_address: ShippingAddressOut | None
    shipping_method: ChosenShippingMethodOut | None
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineOut]


class BasketItem(_NamesAVariant):
    quantity: int = Quantity


WHICH_LINE = Field(
    default=None, description="Which line, when the basket holds several variants of it."
)


class BasketItemCount(DTO):
    product_id: Id
    variant_id: Id | None = WHICH_LINE
    quantity: int = Field(ge=0, le=MAX_QUANTITY, description="The new count; 0 removes the item.")


class BasketItemRef(DTO):
    product_id: Id
    variant_id: Id | None = WHICH_LINE


class BasketLineOut(Output):
    product_id: int
    variant_id: int
    product_name: str
    sku: str
    attributes: dict[str, str] = Field(description="The variant's own values.")
    quantity: int
    unit_price: Decimal = Field(description="Today's price.")
    line_total: Decimal
    available: int = Field(description="Units in stock now.")
    problem: Literal["out_of_stock", "archived"] | None = Field(
        description="Why this line cannot be ordered now, if it cannot."
    )


class BasketOut(Output):
    lines: list[BasketLineOut]
    total: Decimal
    can_confirm: bool


class ExpiredOrders(Output):
    expired: list[int] = Field(description="Ids of the orders that expired.")
