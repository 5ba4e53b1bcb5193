"""The catalog's public interface: the only module other apps may import.

It returns plain data (frozen dataclasses), never models or querysets. What is sold is a
variant: stock is taken from and given back to variants, with conditional UPDATEs (never
read, check, then write; one statement for all the variants, one for their products), inside
the caller's transaction, so an order that rolls back gives its stock back with it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.catalog import stock
from apps.catalog.errors import OutOfStock, ProductNotFound, VariantNotFound, VariantRequired
from apps.catalog.models import Product, Variant
from apps.catalog.selectors import StockFigures, StockRow, low_stock_threshold, stock_figures
from apps.catalog.stock import Taking, VariantData

__all__ = [
    "OutOfStock",
    "ProductData",
    "ProductNotFound",
    "StockFigures",
    "StockRow",
    "Taking",
    "VariantData",
    "VariantNotFound",
    "VariantRequired",
    "give_stock_back",
    "low_stock_threshold",
    "product_ids_by_name",
    "products_by_ids",
    "stock_figures",
    "take_sole_variant",
    "take_stock",
    "variant_to_sell",
    "variants_by_ids",
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


def variants_by_ids(ids: Iterable[int]) -> dict[int, VariantData]:
    """The variants with these ids (archived ones included), by id, in one query."""
    rows = Variant.objects.filter(pk__in=set(ids)).values_list(*_VARIANT_COLUMNS)
    return {row[0]: _variant(row) for row in rows}


_VARIANT_COLUMNS = (
    "id",
    "product_id",
    "sku",
    "attributes",
    "product__name",
    "price",
    "product__price",
    "stock",
    "is_active",
    "product__is_active",
    "product__ships",
)


def _variant(row: tuple[Any, ...]) -> VariantData:
    pk, product_id, sku, attributes, name, price, product_price, stock, active, sold, ships = row
    return VariantData(
        id=pk,
        product_id=product_id,
        sku=sku,
        attributes=dict(attributes),
        name=name,
        price=price if price is not None else product_price,
        stock=stock,
        is_active=active and sold,
        ships=ships,
    )


def variant_to_sell(product_id: int | None, variant_id: int | None) -> VariantData:
    """The variant a shopper names: `variant_id` (of `product_id` if given too), or the one
    active variant of `product_id`. One query.

    Raises ProductNotFound (unknown or archived product), VariantNotFound (no such active
    variant of it) or VariantRequired (only `product_id`, and it has several variants)."""
    if variant_id is not None:
        variants = Variant.objects.filter(pk=variant_id)
        if product_id is not None:
            variants = variants.filter(product_id=product_id)
        row = variants.values_list(*_VARIANT_COLUMNS).first()
        if row is None or not row[8]:  # unknown, or the variant is archived
            raise VariantNotFound(details={"variant_id": variant_id})
        if not row[9]:  # the product is archived
            raise ProductNotFound(details={"product_id": row[1]})
        return _variant(row)
    assert product_id is not None
    rows = list(
        Variant.objects.filter(product_id=product_id, is_active=True, product__is_active=True)
        .order_by("id")
        .values_list(*_VARIANT_COLUMNS)[:2]
    )
    if not rows:
        raise ProductNotFound(details={"product_id": product_id})
    if len(rows) > 1:
        raise VariantRequired(details={"product_id": product_id})
    return _variant(rows[0])


def take_stock(wanted: Mapping[int, int]) -> Taking:
    """Take units of variants ({variant id: quantity}), with one conditional UPDATE of them
    all (and one of their products), in the fixed lock order (catalog.stock), inside the
    caller's transaction. What cannot be taken is in `failed` (OutOfStock or ProductNotFound,
    one per variant): the caller must then raise, so that its transaction gives back what
    was taken."""
    return stock.take(wanted)


def take_sole_variant(product_id: int, quantity: int) -> VariantData:
    """Take units of the one active variant of `product_id` (see `variant_to_sell`): chosen and
    taken in one conditional UPDATE, then its product's sum, inside the caller's transaction.

    Raises ProductNotFound (unknown or archived product, or no active variant), VariantRequired
    (it has several) or OutOfStock, nothing taken: what `variant_to_sell` then `take_stock`
    say, for they are what it runs when the UPDATE takes nothing."""
    taken = stock.take_sole(product_id, quantity)
    if taken is not None:
        return taken
    variant = variant_to_sell(product_id, None)  # raises: unknown, archived, several variants
    taking = stock.take({variant.id: quantity})
    if taking.failed:
        raise taking.failed[0]
    return taking.taken[variant.id]  # the stock moved in between: taken after all


def give_stock_back(wanted: Mapping[int, int]) -> None:
    """Return units to variants ({variant id: quantity}: an order canceled or reduced),
    archived ones included.

    Never refused for MAX_STOCK: a cancellation or an expiry must not fail. Stock may so
    stand above MAX_STOCK, but only by units given back since it last stood at or below it
    (above it, restocks are refused), and each of those was held by an order open at that
    moment. The integer column (2**31 - 1) would overflow only if over 2.1 billion units of
    one variant sat in open orders (unpaid or paid, not shipped): more than two million
    orders of the largest quantity."""
    stock.give_back(wanted)
