"""Stock, per variant: the only module that writes a variant's or a product's `stock`.

A variant's stock is taken with one conditional UPDATE (`... SET stock = stock - n WHERE id =
... AND stock >= n`), never read, checked, then written. A product's `stock` is the sum over its
active variants, moved by the same deltas in the same transaction: the list, its `in_stock`
filter and the bench's floor read one column.

Lock order, for a transaction that takes several: first every variant, by id, then every
product, by id. A transaction waiting for a product lock holds only variants and lower
products, one waiting for a variant holds only lower variants, so no two can wait on each
other (concurrent orders cannot deadlock).
"""

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.catalog.dto import money
from apps.catalog.errors import OutOfStock, ProductNotFound
from apps.catalog.models import Product, Variant


@dataclass(frozen=True)
class VariantData:
    """A variant as ordering sees it: its product's name, and the price it sells at (its own,
    else the product's)."""

    id: int
    product_id: int
    sku: str
    attributes: dict[str, str]
    name: str
    price: Decimal
    stock: int
    is_active: bool  # the variant and its product are both on sale
    ships: bool


def _attributes(value: Any) -> dict[str, str]:
    # raw SQL skips the ORM's converters: SQLite hands JSON back as text
    return dict(json.loads(value) if isinstance(value, str | bytes) else value or {})


def _table(model: type[Variant] | type[Product]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_TAKE_SQL = (
    "UPDATE {variant} SET stock = stock - %s, updated_at = %s "
    "WHERE id = %s AND is_active = %s AND stock >= %s "
    "AND product_id IN (SELECT id FROM {product} WHERE is_active = %s) "
    "RETURNING id, product_id, sku, attributes, price, stock"
)
_PRODUCT_SQL = (
    "UPDATE {product} SET stock = stock + %s, updated_at = %s WHERE id = %s "
    "RETURNING name, price, ships, is_active"
)


@dataclass(frozen=True)
class Taking:
    """What `take` took (by variant id) and what it could not (one error per variant)."""

    taken: dict[int, VariantData]
    failed: list[OutOfStock | ProductNotFound]


def _move_products(deltas: Mapping[int, int], now: Any) -> dict[int, tuple[Any, ...]]:
    """Add each delta to its product's stock, by product id (the fixed lock order)."""
    rows = {}
    with connection.cursor() as cursor:
        for product_id in sorted(deltas):
            cursor.execute(
                _PRODUCT_SQL.format(product=_table(Product)),
                [deltas[product_id], now, product_id],
            )
            rows[product_id] = cursor.fetchone()
    return rows


def take(wanted: Mapping[int, int]) -> Taking:
    """Take units of active variants (of active products): {variant id: quantity}, each in one
    conditional UPDATE, by variant id, then their products' sums. Anything that fails is in
    `failed` and the products are left alone: the caller raises, and its transaction rolls
    the variants back."""
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    failed: list[OutOfStock | ProductNotFound] = []
    with connection.cursor() as cursor:
        for variant_id in sorted(wanted):
            quantity = wanted[variant_id]
            if quantity < 1:
                raise ValueError("quantity must be positive")
            cursor.execute(
                _TAKE_SQL.format(variant=_table(Variant), product=_table(Product)),
                [quantity, now, variant_id, True, quantity, True],
            )
            row = cursor.fetchone()
            if row is None:
                failed.append(_why_not(variant_id, quantity))
            else:
                rows.append(row)
    if failed:
        return Taking(taken={}, failed=failed)
    deltas: dict[int, int] = defaultdict(int)
    for pk, product_id, *_ in rows:
        deltas[product_id] -= wanted[pk]
    products = _move_products(deltas, now)
    taken = {}
    for pk, product_id, sku, attributes, price, stock in rows:
        name, product_price, ships, active = products[product_id]
        taken[pk] = VariantData(
            id=pk,
            product_id=product_id,
            sku=sku,
            attributes=_attributes(attributes),
            name=name,
            price=money(price if price is not None else product_price),
            stock=stock,
            is_active=bool(active),
            ships=bool(ships),
        )
    return Taking(taken=taken, failed=[])


def _why_not(variant_id: int, quantity: int) -> OutOfStock | ProductNotFound:
    found = (
        Variant.objects.filter(pk=variant_id, is_active=True, product__is_active=True)
        .values_list("product_id", "stock")
        .first()
    )
    if found is None:
        return ProductNotFound(details={"variant_id": variant_id})
    product_id, available = found
    return OutOfStock(
        details={
            "product_id": product_id,
            "variant_id": variant_id,
            "requested": quantity,
            "available": available,
        }
    )


def give_back(wanted: Mapping[int, int]) -> None:
    """Return units to variants (an order canceled or reduced), archived ones included:
    {variant id: quantity}, by variant id, then the products' sums (of active variants only).
    Never refused (see catalog.interface.give_stock_back)."""
    now = timezone.now()
    deltas: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for variant_id in sorted(wanted):
            quantity = wanted[variant_id]
            if quantity < 1:
                raise ValueError("quantity must be positive")
            cursor.execute(
                f"UPDATE {_table(Variant)} SET stock = stock + %s, updated_at = %s "
                "WHERE id = %s RETURNING product_id, is_active",
                [quantity, now, variant_id],
            )
            row = cursor.fetchone()
            if row is not None and row[1]:
                deltas[row[0]] += quantity
    _move_products(deltas, now)


def change(variant: Variant, delta: int) -> None:
    """Move a variant's product's sum by `delta` after the variant's own stock moved by it (a
    merchant's restock, write-off or count), if the variant counts (it is active)."""
    if variant.is_active and delta:
        Product.objects.filter(pk=variant.product_id).update(
            stock=F("stock") + delta, updated_at=timezone.now()
        )
