"""Reads of orders: a customer sees their own, a merchant sees all. Two queries per page."""

from typing import Any

from django.db.models import F, QuerySet

from apps.ordering.dto import OrderQuery
from apps.ordering.errors import OrderNotFound
from apps.ordering.models import Order, OrderLine
from servicelayer.pagination import Page, keyset_page

ORDER_FIELDS = ("id", "status", "total", "created_at", "updated_at")


def orders_of(actor: Any) -> QuerySet[Order]:
    """The orders `actor` may see: all for staff, their own for anyone else."""
    orders = Order.objects.all()
    return orders if actor.is_staff else orders.filter(owner=actor)


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


def order_list(*, actor: Any, params: OrderQuery) -> Page:
    """List orders, newest first: your own, or every order for a merchant (by status)."""
    orders = orders_of(actor)
    if params.status:
        orders = orders.filter(status=params.status)
    page = keyset_page(
        _values(orders), ordering=("-id",), size=params.page_size, cursor=params.cursor
    )
    return Page(results=_with_lines(page.results), next_cursor=page.next_cursor)


def order_get(*, actor: Any, order_id: int) -> dict[str, Any]:
    """One order with its lines. Another customer's order is not found."""
    row = _values(orders_of(actor).filter(pk=order_id)).first()
    if row is None:
        raise OrderNotFound()
    return _with_lines([row])[0]
