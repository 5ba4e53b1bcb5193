"""Ordering's application services: placing an order and moving it through its workflow.

Locks are taken in one order everywhere: the order row first, then products by id (through
the catalog's conditional updates), so concurrent changes cannot deadlock.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from apps.actors import MERCHANT, SHOPPER
from apps.catalog.interface import OutOfStock, ProductNotFound, give_stock_back, take_stock
from apps.ordering.dto import ChangeQuantity, OrderLineOut, OrderOut, OrderRef, PlaceOrder
from apps.ordering.errors import (
    IllegalTransition,
    LineNotInOrder,
    OrderNotEditable,
    OrderNotFound,
)
from apps.ordering.models import Order, OrderLine
from apps.ordering.selectors import order_get, orders_of
from servicelayer.registry import service


def _locked_order(actor: Any, order_id: int) -> Order:
    try:
        return orders_of(actor).select_for_update().get(pk=order_id)
    except Order.DoesNotExist:
        raise OrderNotFound() from None


def _out(actor: Any, order_id: int) -> OrderOut:
    return OrderOut.model_validate(order_get(actor=actor, order_id=order_id))


def _recompute_total(order: Order) -> None:
    order.total = sum((line.line_total for line in order.lines.all()), Decimal("0.00"))


@service(actor=SHOPPER, errors=[ProductNotFound, OutOfStock])
def order_place(*, actor: User, data: PlaceOrder) -> OrderOut:
    """Order a quantity of one product: its stock is taken at once, at today's price.

    Not enough stock is a conflict (`out_of_stock`) and nothing is ordered."""
    with transaction.atomic():
        product = take_stock(data.product_id, data.quantity)
        order = Order.objects.create(owner=actor, total=product.price * data.quantity)
        line = OrderLine.objects.create(
            order=order,
            product_id=product.id,
            product_name=product.name,
            quantity=data.quantity,
            unit_price=product.price,
        )
    # built from what was just written: no read-back on the hot path
    return OrderOut(
        id=order.pk,
        customer=actor.get_username(),
        status=order.status,
        total=order.total,
        created_at=order.created_at,
        updated_at=order.updated_at,
        lines=[
            OrderLineOut(
                product_id=line.product_id,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
            )
        ],
    )


@service(
    actor=SHOPPER,
    errors=[OrderNotFound, OrderNotEditable, LineNotInOrder, ProductNotFound, OutOfStock],
)
def order_change_quantity(*, actor: User, data: ChangeQuantity) -> OrderOut:
    """Change how many units a pending order asks for; stock is taken or given back to match.

    The unit price stays the one captured when the order was placed."""
    with transaction.atomic():
        order = _locked_order(actor, data.order_id)
        order.ensure_editable()
        lines = list(order.lines.all())
        if data.product_id is not None:
            lines = [line for line in lines if line.product_id == data.product_id]
        if len(lines) != 1:
            raise LineNotInOrder(
                fields={"product_id": ["Name the product whose quantity changes."]}
                if lines
                else None
            )
        line = lines[0]
        delta = data.quantity - line.quantity
        if delta > 0:
            take_stock(line.product_id, delta)
        elif delta < 0:
            give_stock_back(line.product_id, -delta)
        line.quantity = data.quantity
        line.save(update_fields=["quantity"])
        _recompute_total(order)
        order.save(update_fields=["total", "updated_at"])
    return _out(actor, order.pk)


@service(actor=SHOPPER, errors=[OrderNotFound, IllegalTransition])
def order_cancel(*, actor: User, data: OrderRef) -> OrderOut:
    """Cancel a pending order; its stock goes back on sale. Merchants may cancel any order."""
    with transaction.atomic():
        order = _locked_order(actor, data.order_id)
        order.cancel()
        order.save(update_fields=["status", "updated_at"])
        for line in order.lines.order_by("product_id"):
            give_stock_back(line.product_id, line.quantity)
    return _out(actor, order.pk)


def _advance(actor: User, order_id: int, step: str) -> OrderOut:
    with transaction.atomic():
        order = _locked_order(actor, order_id)
        getattr(order, step)()
        order.save(update_fields=["status", "updated_at"])
    return _out(actor, order.pk)


@service(actor=MERCHANT, errors=[OrderNotFound, IllegalTransition])
def order_ship(*, actor: User, data: OrderRef) -> OrderOut:
    """Mark a pending order as shipped."""
    return _advance(actor, data.order_id, "ship")


@service(actor=MERCHANT, errors=[OrderNotFound, IllegalTransition])
def order_deliver(*, actor: User, data: OrderRef) -> OrderOut:
    """Mark a shipped order as delivered."""
    return _advance(actor, data.order_id, "deliver")
