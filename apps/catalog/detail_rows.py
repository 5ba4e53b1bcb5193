"""One image and one variant as a product's detail gives them, from their rows: the one shape
that the ORM's detail (selectors) and the one-statement detail (detail_sql) both build, so
that the two stay equal key for key (apps/catalog/tests/test_detail_queries.py)."""

from collections.abc import Mapping
from typing import Any

from apps.catalog.models import ProductImage


def file_url(name: str) -> str:
    """The storage's URL of an image file (or its thumbnail) by its stored name."""
    return str(ProductImage._meta.get_field("image").storage.url(name))


def image_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """An image row (id, image, thumbnail, width, height, alt, position) with its URLs."""
    return {
        "id": row["id"],
        "url": file_url(row["image"]),
        "thumbnail_url": file_url(row["thumbnail"]),
        "width": row["width"],
        "height": row["height"],
        "alt": row["alt"],
        "position": row["position"],
    }


def variant_out(row: Mapping[str, Any], price: Any) -> dict[str, Any]:
    """A variant row (id, sku, attributes, its own price or None, stock, is_active), at the
    price it sells at (`price`: its product's), in VariantOut's order: the output is rendered
    from these dicts as they are."""
    return {
        "id": row["id"],
        "sku": row["sku"],
        "attributes": row["attributes"],
        "price": price if row["price"] is None else row["price"],
        "own_price": row["price"],
        "stock": row["stock"],
        "is_active": row["is_active"],
    }
