"""The catalog's public interface: the only module other apps may import.

It returns plain data (frozen dataclasses), never models or querysets. Stock is taken and given
back with one conditional UPDATE each (never read, check, then write), inside the caller's
transaction, so an order that rolls back gives its stock back with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.catalog.dto import money
from apps.catalog.errors import OutOfStock, ProductNotFound
from apps.catalog.models import Product
from apps.catalog.selectors import StockFigures, StockRow, low_stock_threshold, stock_figures

__all__ = [
    "OutOfStock",
    "ProductData",
    "ProductNotFound",
    "StockFigures",
    "StockRow",
    "give_stock_back",
    "low_stock_threshold",
    "product_ids_by_name",
    "products_by_ids",
    "stock_figures",
    "take_stock",
]


@dataclass(frozen=True)
class ProductData:
    id: int
    name: str
    price: Decimal
    stock: int
    is_active: bool
    ships: bool  # sent as a parcel (digital goods are not)


def products_by_ids(ids: Iterable[int]) -> dict[int, ProductData]:
    """Public data of the products with these ids (archived ones included), by id."""
    rows = Product.objects.filter(pk__in=set(ids)).values_list(
        "id", "name", "price", "stock", "is_active", "ships"
    )
    return {row[0]: ProductData(*row) for row in rows}


def product_ids_by_name(names: Iterable[str]) -> dict[str, int]:
    """Ids of the products with exactly these names, by name."""
    rows = Product.objects.filter(name__in=set(names)).values_list("name", "id")
    return dict(rows)


_TAKE_SQL = (
    "UPDATE {table} SET stock = stock - %s, updated_at = %s "
    "WHERE id = %s AND is_active = %s AND stock >= %s "
    "RETURNING id, name, price, stock, is_active, ships"
)


def take_stock(product_id: int, quantity: int) -> ProductData:
    """Take `quantity` units of an active product, in one statement; returns the product as
    it is after taking (its current price included).

    Raises ProductNotFound (unknown or archived) or OutOfStock (not enough units)."""
    if quantity < 1:
        raise ValueError("quantity must be positive")
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_SQL.format(table=connection.ops.quote_name(Product._meta.db_table)),
            [quantity, timezone.now(), product_id, True, quantity],
        )
        row = cursor.fetchone()
    if row is not None:
        pk, name, price, stock, is_active, ships = row
        # raw SQL skips the ORM's converters: SQLite hands back the price as a float
        return ProductData(pk, name, money(price), stock, bool(is_active), bool(ships))
    available = (
        Product.objects.filter(pk=product_id, is_active=True)
        .values_list("stock", flat=True)
        .first()
    )
    if available is None:
        raise ProductNotFound(details={"product_id": product_id})
    raise OutOfStock(
        details={"product_id": product_id, "requested": quantity, "available": available}
    )


def give_stock_back(product_id: int, quantity: int) -> None:
    """Return `quantity` units (an order canceled or reduced), archived products included.

    Never refused for MAX_STOCK: a cancellation or an expiry must not fail. Stock may so
    stand above MAX_STOCK, but only by units given back since it last stood at or below it
    (above it, restocks are refused), and each of those was held by an order open at that
    moment. The integer column (2**31 - 1) would overflow only if over 2.1 billion units of
    one product sat in open orders (unpaid or paid, not shipped): more than two million
    orders of the largest quantity."""
    if quantity < 1:
        raise ValueError("quantity must be positive")
    Product.objects.filter(pk=product_id).update(
        stock=F("stock") + quantity, updated_at=timezone.now()
    )
