"""Reads of the catalog. Each returns plain rows (dicts of ProductOut's fields) in one query."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from apps.catalog.dto import PRODUCT_FIELDS, ProductOut, ProductQuery
from apps.catalog.errors import ProductNotFound
from apps.catalog.models import Product
from apps.roles import ANYONE
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "price": ("price",),
    "-price": ("-price",),
    "newest": ("-created_at",),
    "oldest": ("created_at",),
}


@cache
def _rows(*, active_only: bool) -> QuerySet[Product, dict[str, Any]]:
    """The row queryset, built once: building one costs more than the page's SQL. Never
    evaluated itself; callers clone it (`.all()`, `.filter()`)."""
    products = Product.objects.filter(is_active=True) if active_only else Product.objects.all()
    return products.values(*PRODUCT_FIELDS)


def _visible(actor: Any, *, include_archived: bool = False) -> QuerySet[Product, dict[str, Any]]:
    staff = actor is not None and actor.is_staff
    return _rows(active_only=not (include_archived and staff)).all()


@query(role=ANYONE, output=ProductOut)
def product_list(*, actor: Any, params: ProductQuery) -> Page:
    """List products, newest first by default; search by name, filter by price and stock.

    Anyone may list active products; merchants may include archived ones."""
    products = _visible(actor, include_archived=params.include_archived)
    if params.search:
        products = products.filter(name__icontains=params.search)
    if params.min_price is not None:
        products = products.filter(price__gte=params.min_price)
    if params.max_price is not None:
        products = products.filter(price__lte=params.max_price)
    if params.in_stock is not None:
        products = products.filter(stock__gt=0) if params.in_stock else products.filter(stock=0)
    return keyset_page(
        products,
        ordering=ORDERINGS[params.ordering],
        size=params.page_size,
        cursor=params.cursor,
    )


@query(role=ANYONE, output=ProductOut, errors=[ProductNotFound])
def product_get(*, actor: Any, product_id: int) -> dict[str, Any]:
    """One product. Archived products are visible to merchants only."""
    products = _visible(actor, include_archived=True)
    row = products.filter(pk=product_id).first()
    if row is None:
        raise ProductNotFound()
    return row


# --- for the back office (apps.backoffice, the admin): plain rows, a fixed number of queries ---


def low_stock_threshold() -> int:
    """At or below this many units an active product is low on stock (AGORA_LOW_STOCK_THRESHOLD)."""
    return int(settings.AGORA_LOW_STOCK_THRESHOLD)


@dataclass(frozen=True)
class StockRow:
    id: int
    name: str
    stock: int


@dataclass(frozen=True)
class StockFigures:
    threshold: int
    out_of_stock: int  # active products with no unit left
    low: int  # active products with 1 to `threshold` units
    lowest: tuple[StockRow, ...]  # the active products lowest on stock, out of stock first


def stock_figures(*, threshold: int, limit: int = 10) -> StockFigures:
    """Active products out of or low on stock, and those lowest (two queries, whatever the
    number of products). Archived products are not sold, so they are not counted."""
    active = Product.objects.filter(is_active=True)
    counts = active.aggregate(
        out_of_stock=Count("id", filter=Q(stock=0)),
        low=Count("id", filter=Q(stock__gt=0, stock__lte=threshold)),
    )
    lowest = (
        active.filter(stock__lte=threshold)
        .order_by("stock", "id")
        .values_list("id", "name", "stock")[:limit]
    )
    return StockFigures(
        threshold=threshold,
        out_of_stock=counts["out_of_stock"],
        low=counts["low"],
        lowest=tuple(StockRow(*row) for row in lowest),
    )
