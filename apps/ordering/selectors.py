"""Reads of orders and baskets: a customer sees their own, a merchant sees all orders.

A page of orders costs two queries (orders, their lines); a basket two (lines, variants with
their products)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.catalog.interface import variants_by_ids
from apps.money import quantize_money
from apps.ordering.dto import BasketOut, OrderOut, OrderQuery
from apps.ordering.errors import OrderNotFound
from apps.ordering.models import BasketLine, Order, OrderLine, OrderStatus
from apps.ordering.pricing import line_total, lines_total
from apps.roles import SHOPPER
from servicelayer import events
from servicelayer.events import EventOut, EventQuery
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

# The address fields an order copies, each stored as `ship_to_<field>`.
SHIP_TO_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country", "phone")
CHECKOUT_FIELDS = (
    "needs_shipping",
    *(f"ship_to_{field}" for field in SHIP_TO_FIELDS),
    "shipping_method_id",
    "shipping_method_name",
    "shipping_cost",
    "total",
)
ORDER_FIELDS = ("id", "status", *CHECKOUT_FIELDS, "created_at", "updated_at")


def checkout_of(get: Callable[[str], Any]) -> dict[str, Any]:
    """An order's checkout as OrderOut shows it (address, method, cost, total), from `get`,
    which reads one of CHECKOUT_FIELDS off a row or an order: one shape for both."""
    has_address = bool(get("ship_to_country"))
    method_id = get("shipping_method_id")
    return {
        "needs_shipping": get("needs_shipping"),
        "shipping_address": (
            {field: get(f"ship_to_{field}") for field in SHIP_TO_FIELDS} if has_address else None
        ),
        "shipping_method": (
            {"id": method_id, "name": get("shipping_method_name")} if method_id else None
        ),
        "shipping_cost": get("shipping_cost"),
        "total": get("total"),
    }


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
        .values(
            "order_id",
            "product_id",
            "variant_id",
            "product_name",
            "sku",
            "attributes",
            "quantity",
            "unit_price",
        )
    )
    for line in lines:
        by_order[line["order_id"]].append(
            {
                "product_id": line["product_id"],
                "variant_id": line["variant_id"],
                "product_name": line["product_name"],
                "sku": line["sku"],
                "attributes": line["attributes"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "line_total": line_total(line["unit_price"], line["quantity"]),
            }
        )
    shaped = []
    for row in rows:
        its_lines = by_order[row["id"]]
        shaped.append(
            {
                "id": row["id"],
                "customer": row["customer"],
                "status": row["status"],
                "lines_total": lines_total(line["line_total"] for line in its_lines),
                **checkout_of(row.__getitem__),
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "lines": its_lines,
            }
        )
    return shaped


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
    """Your basket: a line per variant at today's prices, their totals, and lines that cannot
    be ordered now (out of stock, or the product or variant was archived) flagged with a
    `problem`."""
    lines = list(
        BasketLine.objects.filter(basket__owner=actor)
        .order_by("added_at", "id")
        .values("variant_id", "quantity")
    )
    variants = variants_by_ids(line["variant_id"] for line in lines)
    rendered: list[dict[str, Any]] = []
    for line in lines:
        variant = variants[line["variant_id"]]
        problem = None
        if not variant.is_active:
            problem = "archived"
        elif variant.stock < line["quantity"]:
            problem = "out_of_stock"
        rendered.append(
            {
                "product_id": variant.product_id,
                "variant_id": variant.id,
                "product_name": variant.name,
                "sku": variant.sku,
                "attributes": variant.attributes,
                "quantity": line["quantity"],
                "unit_price": variant.price,
                "line_total": line_total(variant.price, line["quantity"]),
                "available": variant.stock if variant.is_active else 0,
                "problem": problem,
            }
        )
    return {
        "lines": rendered,
        "total": lines_total(line["line_total"] for line in rendered),
        "can_confirm": bool(rendered) and all(line["problem"] is None for line in rendered),
    }


# --- for the back office (apps.backoffice, the admin): plain rows, a fixed number of queries ---

# Orders that brought money in: paid, and not canceled since (a canceled paid order is refunded).
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class OrderRow:
    id: int
    customer: str
    status: str
    total: Decimal
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int  # placed that day, whatever became of them
    revenue: Decimal  # the totals of those of them that are paid (or shipped, delivered)


@dataclass(frozen=True)
class OrderFigures:
    today: DaySales
    to_ship: int  # paid, not shipped yet
    oldest_to_ship: tuple[OrderRow, ...]  # the ones waiting longest first
    days: tuple[DaySales, ...]  # every day of the window, oldest first, quiet days as zeros


def _order_rows(orders: QuerySet[Order]) -> tuple[OrderRow, ...]:
    rows = orders.values_list(
        "id", "owner__username", "status", "total", "created_at", "updated_at"
    )
    return tuple(OrderRow(*row) for row in rows)


def order_figures(*, today: date, days: int = 30, limit: int = 10) -> OrderFigures:
    """Orders and revenue per day over the `days` days up to `today` (in the current time
    zone), and the paid orders waiting to be shipped (three queries, whatever the number of
    orders)."""
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    per_day = {
        row["day"]: DaySales(row["day"], row["orders"], quantize_money(row["revenue"]))
        for row in Order.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            orders=Count("id"),
            revenue=Coalesce(
                Sum("total", filter=Q(status__in=PAID_STATUSES)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .order_by("day")
    }
    series = tuple(
        per_day.get(day, DaySales(day, 0, quantize_money(Decimal("0"))))
        for day in (first + timedelta(days=n) for n in range(days))
    )
    waiting = Order.objects.filter(status=OrderStatus.PAID)
    return OrderFigures(
        today=series[-1],
        to_ship=waiting.count(),
        oldest_to_ship=_order_rows(waiting.order_by("updated_at", "id")[:limit]),
        days=series,
    )
