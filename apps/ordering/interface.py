"""Ordering's public interface. Plain data only.

Payments reaches orders through the payable kind ordering registers at start-up
(apps.py, services.ORDER_PAYABLE), never through this module: payments is the lower layer.
`order_summary` is for the apps that tell a customer about an order (notifications' mails),
`order_figures` for the back office's home page.
"""

from dataclasses import dataclass
from decimal import Decimal

from apps.ordering.errors import IllegalTransition, OrderNotFound
from apps.ordering.models import Order
from apps.ordering.pricing import line_total, lines_total
from apps.ordering.selectors import DaySales, OrderFigures, OrderRow, order_figures

__all__ = [
    "DaySales",
    "IllegalTransition",
    "OrderFigures",
    "OrderLineSummary",
    "OrderNotFound",
    "OrderRow",
    "OrderSummary",
    "ShipTo",
    "order_figures",
    "order_summary",
]


@dataclass(frozen=True)
class OrderLineSummary:
    product_name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class ShipTo:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class OrderSummary:
    """An order as its customer is told of it: lines, totals, where it goes and how."""

    id: int
    owner_id: int
    status: str
    lines: tuple[OrderLineSummary, ...]
    lines_total: Decimal
    needs_shipping: bool
    ship_to: ShipTo | None
    shipping_method: str  # empty: none chosen (or nothing ships)
    shipping_cost: Decimal
    total: Decimal


def order_summary(order_id: int) -> OrderSummary | None:
    """The order as it is now (two queries); None if there is no such order."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return None
    lines = tuple(
        OrderLineSummary(
            product_name=line.product_name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line_total(line.unit_price, line.quantity),
        )
        for line in order.lines.order_by("id")
    )
    ship_to = (
        ShipTo(
            name=order.ship_to_name,
            line1=order.ship_to_line1,
            line2=order.ship_to_line2,
            city=order.ship_to_city,
            postal_code=order.ship_to_postal_code,
            country=order.ship_to_country,
        )
        if order.has_address
        else None
    )
    return OrderSummary(
        id=order.pk,
        owner_id=order.owner_id,
        status=order.status,
        lines=lines,
        lines_total=lines_total(line.line_total for line in lines),
        needs_shipping=order.needs_shipping,
        ship_to=ship_to,
        shipping_method=order.shipping_method_name if order.shipping_method_id else "",
        shipping_cost=order.shipping_cost,
        total=order.total,
    )
