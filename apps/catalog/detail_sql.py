"""One product's detail in one statement on PostgreSQL: the product and its category joined,
its attribute values, images and variants each a json_agg subquery (the ORM's way takes four
queries: docs/performance.md). Rows come back as the ORM's do (Decimal prices, the storage's
image URLs), so `selectors.product_detail` and this give the same detail, key for key.

Other databases (SQLite) keep the ORM's four queries: `detail` returns NotImplemented there.
"""

from decimal import Decimal
from functools import cache
from typing import Any

import orjson
from django.db import connection

from apps.catalog.detail_rows import image_out, variant_out
from apps.catalog.dto import PRODUCT_FIELDS
from apps.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    Variant,
)

_COLUMNS = ", ".join(f"p.{Product._meta.get_field(name).column}" for name in PRODUCT_FIELDS)  # type: ignore[union-attr]


@cache
def statement(*, active_only: bool, archived_variants: bool) -> str:
    """The detail's SQL (one parameter: the product's id). The aggregates are cast to text
    so that orjson, not the driver's json module, reads them."""
    attributes = (
        "SELECT coalesce(json_agg(json_build_object('code', a.code, 'name', a.name, "
        "'value', v.value) ORDER BY a.code), '[]')::text "
        f"FROM {ProductAttributeValue._meta.db_table} v "
        f"JOIN {Attribute._meta.db_table} a ON a.id = v.attribute_id WHERE v.product_id = p.id"
    )
    images = (
        "SELECT coalesce(json_agg(json_build_object('id', i.id, 'image', i.image, "
        "'thumbnail', i.thumbnail, 'width', i.width, 'height', i.height, 'alt', i.alt, "
        "'position', i.position) ORDER BY i.position, i.id), '[]')::text "
        f"FROM {ProductImage._meta.db_table} i WHERE i.product_id = p.id"
    )
    variants = (
        "SELECT coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'attributes', "
        "v.attributes, 'price', v.price::text, 'stock', v.stock, 'is_active', v.is_active) "
        f"ORDER BY v.id), '[]')::text FROM {Variant._meta.db_table} v WHERE v.product_id = p.id"
        + ("" if archived_variants else " AND v.is_active")
    )
    return (
        f"SELECT {_COLUMNS}, c.id, c.name, c.slug, c.path, ({attributes}), ({images}), "
        f"({variants}) FROM {Product._meta.db_table} p "
        f"LEFT JOIN {Category._meta.db_table} c ON c.id = p.category_id WHERE p.id = %s"
        + (" AND p.is_active" if active_only else "")
    )


def detail(product_id: int, *, active_only: bool, archived_variants: bool) -> Any:
    """The product's detail (ProductDetailOut's keys, in its order), None if there is no such
    product (or it is archived and `active_only`); NotImplemented off PostgreSQL."""
    if connection.vendor != "postgresql":
        return NotImplemented
    sql = statement(active_only=active_only, archived_variants=archived_variants)
    with connection.cursor() as cursor:
        cursor.execute(sql, [product_id])
        found = cursor.fetchone()
    if found is None:
        return None
    product = dict(zip(PRODUCT_FIELDS, found, strict=False))
    category_id, name, slug, path, attributes, images, variants = found[len(PRODUCT_FIELDS) :]
    price = product["price"]
    return {
        **product,
        "category": (
            None
            if category_id is None
            else {"id": category_id, "name": name, "slug": slug, "path": path}
        ),
        "attributes": orjson.loads(attributes),
        "images": [image_out(image) for image in orjson.loads(images)],
        "variants": [
            variant_out({**variant, "price": _decimal(variant["price"])}, price)
            for variant in orjson.loads(variants)
        ],
    }


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)  # json_agg gave the price as text
