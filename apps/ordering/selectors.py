"""Reads of orders and baskets: a customer sees their own, a merchant sees all orders.

A page of orders costs two queries (orders, their lines); a basket two (lines, products)."""

from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import BasketOut, OrderOut, OrderQuery
from apps.ordering.errors import OrderNotFound
from apps.ordering.models import BasketLine, Order, OrderLine
from apps.roles import SHOPPER
from servicelayer import events
from servicelayer.events import EventOut, EventQuery
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

ORDER_FIELDS = ("id", "status", "total", "created_at", "updated_at")


def orders_of(actor: Any) -> QuerySet[Order]:
    """The orders `actor` may see: all for staff, their own for anyone else."""
    orders = Order.objects.all()
    return orders if actor.is_staff else orders.filter(owner=actor)


def order_visible(order_id: int, actor: Any) -> bool:
    """Whether `actor` may see the order (its owner, or a merchant)."""
    return orders_of(actor).filter(pk=order_id).exists()


def _with_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_order: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    lines = (
        OrderLine.objects.filter(order_id__in=by_order)
        .order_by("order_id", "id")
        .values("order_id", "product_id", "product_name", "quantity", "unit_price")
    )
    for line in lines:
        by_order[line["order_id"]].append(
            {
                "product_id": line["product_id"],
                "product_name": line["product_name"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "line_total": line["unit_price"] * line["quantity"],
            }
        )
    for row in rows:
        row["lines"] = by_order[row["id"]]
    return rows


def _values(orders: QuerySet[Order]) -> QuerySet[Order, dict[str, Any]]:
    return orders.values(*ORDER_FIELDS, customer=F("owner__username"))


@query(role=SHOPPER, output=OrderOut)
def order_list(*, actor: Any, params: OrderQuery) -> Page:
    """List orders, newest first: your own, or every order for a merchant (by status)."""
    orders = orders_of(actor)
    if params.status:
        orders = orders.filter(status=params.status)
    page = keyset_page(
        _values(orders), ordering=("-id",), size=params.page_size, cursor=params.cursor
    )
    return Page(results=_with_lines(page.results), next_cursor=page.next_cursor)


@query(role=SHOPPER, output=OrderOut, errors=[OrderNotFound])
def order_get(*, actor: Any, order_id: int) -> dict[str, Any]:
    """One order with its lines. Another customer's order is not found."""
    row = _values(orders_of(actor).filter(pk=order_id)).first()
    if row is None:
        raise OrderNotFound()
    return _with_lines([row])[0]


@query(role=SHOPPER, output=EventOut, errors=[OrderNotFound])
def order_events(*, actor: Any, order_id: int, params: EventQuery) -> Page:
    """An order's history, oldest first: placed, paid, shipped... with what each event says.
    Another customer's order is not found."""
    if not order_visible(order_id, actor):
        raise OrderNotFound()
    return events.history("order", order_id, params)


@query(role=SHOPPER, output=BasketOut)
def basket_get(*, actor: Any) -> dict[str, Any]:
    """Your basket: lines at today's prices, their totals, and lines that cannot be ordered now
    (out of stock, or the product was archived) flagged with a `problem`."""
    lines = list(
        BasketLine.objects.filter(basket__owner=actor)
        .order_by("added_at", "id")
        .values("product_id", "quantity")
    )
    products = products_by_ids(line["product_id"] for line in lines)
    total = Decimal("0.00")
    rendered = []
    for line in lines:
        product = products[line["product_id"]]
        problem = None
        if not product.is_active:
            problem = "archived"
        elif product.stock < line["quantity"]:
            problem = "out_of_stock"
        line_total = product.price * line["quantity"]
        total += line_total
        rendered.append(
            {
                "product_id": product.id,
                "product_name": product.name,
                "quantity": line["quantity"],
                "unit_price": product.price,
                "line_total": line_total,
                "available": product.stock if product.is_active else 0,
                "problem": problem,
            }
        )
    return {
        "lines": rendered,
        "total": total,
        "can_confirm": bool(rendered) and all(line["problem"] is None for line in rendered),
    }
