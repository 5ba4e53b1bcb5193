"""Stock, per variant: the only module that writes a variant's or a product's `stock`.

A variant's stock is taken with a conditional UPDATE (`... SET stock = stock - n WHERE id =
... AND stock >= n`), never read, checked, then written; one UPDATE takes all the variants of a
basket, and one more moves their products: two statements whatever the basket's size. A
product's `stock` is the sum over its active variants, moved by the same deltas in the same
transaction: the list, its `in_stock` filter and the bench's floor read one column.

Lock order, for a transaction that takes several: first every variant, by id, then every
product, by id (a multi-row UPDATE locks its rows by id first: see `_amounts`). A transaction
waiting for a product lock holds only variants and lower products, one waiting for a variant
holds only lower variants, so no two can wait on each other (concurrent orders cannot
deadlock).
"""

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
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


def _amounts(model: type[Variant] | type[Product], amounts: Mapping[int, int]) -> str:
    """A FROM item `w (w_id, amount)`: the rows of `model` with these ids and each one's
    amount, locked by id on PostgreSQL, before the UPDATE that joins it writes any of them;
    its parameters are `amounts`'s pairs by id.

    A multi-row UPDATE locks its rows in the order its plan meets them (a hash join, an
    index scan: not id order), so two of them taking the same rows in another order could
    each hold a row the other waits for. This subquery is a plan node of its own (a locking
    subquery is never flattened into its parent) whose locks sit above its sort: it locks
    the rows by id, and the UPDATE only writes rows the join got from it, that this
    transaction has locked already. SQLite has no row locks (a writer holds the whole
    database): nothing to order there."""
    values = ", ".join(["(%s, %s)"] * len(amounts))
    lock = " ORDER BY l.id FOR NO KEY UPDATE OF l" if connection.vendor == "postgresql" else ""
    return (
        f"(SELECT l.id AS w_id, a.column2 AS amount FROM {_table(model)} AS l "
        f"JOIN (VALUES {values}) AS a ON l.id = a.column1{lock}) AS w"
    )


# a variant row `t` whose product is on sale (one parameter: True)
_OF_PRODUCT_ON_SALE = f"t.product_id IN (SELECT id FROM {_table(Product)} WHERE is_active = %s)"


def _update(
    model: type[Variant] | type[Product],
    amounts: Mapping[int, int],
    set_stock: str,
    where: str,
    returning: str,
    params: Sequence[Any],
    now: Any,
) -> list[tuple[Any, ...]]:
    """One UPDATE of the rows of `model` with the ids of `amounts` ({id: amount}, read as
    `w.amount`), locked by id (see `_amounts`): `stock = <set_stock>` and `updated_at`, where
    `where` holds (its parameters are `params`); `returning` of each row written."""
    pairs = sorted(amounts.items())
    sql = (
        f"UPDATE {_table(model)} AS t SET stock = {set_stock}, updated_at = %s "
        f"FROM {_amounts(model, amounts)} WHERE t.id = w.w_id{where} RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *(value for pair in pairs for value in pair), *params])
        return list(cursor.fetchall())


@dataclass(frozen=True)
class Taking:
    """What `take` took (by variant id) and what it could not (one error per variant)."""

    taken: dict[int, VariantData]
    failed: list[OutOfStock | ProductNotFound]


def _move_products(deltas: Mapping[int, int], now: Any) -> dict[int, tuple[Any, ...]]:
    """Add each delta to its product's stock, in one statement locking the products by id
    (the fixed lock order): their name, price, ships and is_active, by id."""
    if not deltas:
        return {}
    rows = _update(
        Product,
        deltas,
        "t.stock + w.amount",
        "",
        "id, name, price, ships, is_active",
        [],
        now,
    )
    return {row[0]: row[1:] for row in rows}


def take(wanted: Mapping[int, int]) -> Taking:
    """Take units of active variants (of active products): {variant id: quantity}, in one
    conditional UPDATE of all of them (locking them by variant id), then one of their
    products' sums (by product id). Anything that fails is in `failed`, by variant id, and
    the products are left alone: the caller raises, and its transaction rolls the variants
    back."""
    if any(quantity < 1 for quantity in wanted.values()):
        raise ValueError("quantity must be positive")
    if not wanted:
        return Taking(taken={}, failed=[])
    now = timezone.now()
    rows = _update(
        Variant,
        wanted,
        "t.stock - w.amount",
        " AND t.is_active = %s AND t.stock >= w.amount AND " + _OF_PRODUCT_ON_SALE,
        "id, product_id, sku, attributes, price, stock",
        [True, True],
        now,
    )
    if len(rows) < len(wanted):
        took = {row[0] for row in rows}
        return Taking(
            taken={}, failed=_why_not({pk: n for pk, n in wanted.items() if pk not in took})
        )
    return Taking(taken=_with_products(rows, wanted, now), failed=[])


_TAKE_SOLE_SQL = (
    "UPDATE {variant} AS t SET stock = t.stock - %s, updated_at = %s "
    "WHERE t.product_id = %s AND t.is_active = %s AND t.stock >= %s "
    "AND {on_sale} "
    "AND (SELECT count(*) FROM {variant} AS o WHERE o.product_id = t.product_id "
    "AND o.is_active = %s) = 1 "
    "RETURNING id, product_id, sku, attributes, price, stock"
)


def take_sole(product_id: int, quantity: int) -> VariantData | None:
    """Take units of the one active variant of an active product, choosing it in the same
    conditional UPDATE (a product with several active variants is left alone), then its
    product's sum: None, and nothing taken, when it cannot be (the caller says why)."""
    if quantity < 1:
        raise ValueError("quantity must be positive")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_SOLE_SQL.format(variant=_table(Variant), on_sale=_OF_PRODUCT_ON_SALE),
            [quantity, now, product_id, True, quantity, True, True],
        )
        rows = list(cursor.fetchall())
    if not rows:
        return None
    ((pk, *_),) = rows  # one active variant, or none taken
    return _with_products(rows, {pk: quantity}, now)[pk]


def _with_products(
    rows: Sequence[tuple[Any, ...]], wanted: Mapping[int, int], now: Any
) -> dict[int, VariantData]:
    """Move the products' sums by what was taken of their variants (`rows`: each variant's
    id, product id, SKU, attributes, own price and stock left), and say what was taken."""
    deltas: dict[int, int] = defaultdict(int)
    for pk, product_id, *_ in rows:
        deltas[product_id] -= wanted[pk]
    products = _move_products(deltas, now)
    taken = {}
    for pk, product_id, sku, attributes, price, left in rows:
        name, product_price, ships, active = products[product_id]
        taken[pk] = VariantData(
            id=pk,
            product_id=product_id,
            sku=sku,
            attributes=_attributes(attributes),
            name=name,
            price=money(price if price is not None else product_price),
            stock=left,
            is_active=bool(active),
            ships=bool(ships),
        )
    return taken


def _why_not(wanted: Mapping[int, int]) -> list[OutOfStock | ProductNotFound]:
    """Why each of these variants could not be taken (one query for all), by variant id."""
    rows = Variant.objects.filter(
        pk__in=list(wanted), is_active=True, product__is_active=True
    ).values_list("id", "product_id", "stock")
    found = {pk: (product_id, available) for pk, product_id, available in rows}
    failed: list[OutOfStock | ProductNotFound] = []
    for variant_id in sorted(wanted):
        if variant_id not in found:
            failed.append(ProductNotFound(details={"variant_id": variant_id}))
            continue
        product_id, available = found[variant_id]
        failed.append(
            OutOfStock(
                details={
                    "product_id": product_id,
                    "variant_id": variant_id,
                    "requested": wanted[variant_id],
                    "available": available,
                }
            )
        )
    return failed


def give_back(wanted: Mapping[int, int]) -> None:
    """Return units to variants (an order canceled or reduced), archived ones included:
    {variant id: quantity}, in one UPDATE of all of them (locking them by variant id), then
    one of the products' sums (of active variants only). Never refused (see
    catalog.interface.give_stock_back)."""
    if any(quantity < 1 for quantity in wanted.values()):
        raise ValueError("quantity must be positive")
    if not wanted:
        return
    now = timezone.now()
    rows = _update(Variant, wanted, "t.stock + w.amount", "", "id, product_id, is_active", [], now)
    deltas: dict[int, int] = defaultdict(int)
    for pk, product_id, active in rows:
        if active:
            deltas[product_id] += wanted[pk]
    _move_products(deltas, now)


def change(variant: Variant, delta: int) -> None:
    """Move a variant's product's sum by `delta` after the variant's own stock moved by it (a
    merchant's restock, write-off or count), if the variant counts (it is active)."""
    if variant.is_active and delta:
        Product.objects.filter(pk=variant.product_id).update(
            stock=F("stock") + delta, updated_at=timezone.now()
        )
