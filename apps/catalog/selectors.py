"""Reads of the catalog. Each returns plain rows in a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from apps.catalog import detail_sql, list_sql, search
from apps.catalog.detail_rows import image_out, variant_out
from apps.catalog.dto import (
    CATEGORY_FIELDS,
    PRODUCT_FIELDS,
    AttributeOut,
    CategoryOut,
    CategoryQuery,
    ProductDetailOut,
    ProductOut,
    ProductPageExtra,
    ProductQuery,
)
from apps.catalog.errors import CategoryNotFound, ProductNotFound
from apps.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    Variant,
)
from apps.roles import ANYONE
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

ORDERINGS: dict[str, tuple[str, ...]] = {
    "relevance": ("-rank",),
    "name": ("name",),
    "-name": ("-name",),
    "price": ("price",),
    "-price": ("-price",),
    "newest": ("-created_at",),
    "oldest": ("created_at",),
}
# The price facet's bands: [0, 10), [10, 25), ..., [250, no limit)
PRICE_BANDS: tuple[Decimal, ...] = tuple(Decimal(b) for b in ("10", "25", "50", "100", "250"))
# at most this many attribute values in the facet, the most frequent first per attribute
MAX_ATTRIBUTE_FACETS = 100


def _staff(actor: Any) -> bool:
    return actor is not None and actor.is_staff


@cache
def _rows(*, active_only: bool) -> QuerySet[Product, dict[str, Any]]:
    """The row queryset, built once: building one costs more than the page's SQL. Never
    evaluated itself; callers clone it (`.all()`, `.filter()`)."""
    products = Product.objects.filter(is_active=True) if active_only else Product.objects.all()
    return products.values(*PRODUCT_FIELDS)


def _visible(actor: Any, *, include_archived: bool = False) -> QuerySet[Product, dict[str, Any]]:
    return _rows(active_only=not (include_archived and _staff(actor))).all()


def _category_path(actor: Any, category_id: int) -> str:
    categories = Category.objects.filter(pk=category_id)
    if not _staff(actor):
        categories = categories.filter(is_active=True)
    path = categories.values_list("path", flat=True).first()
    if path is None:
        raise CategoryNotFound()
    return path


def _filtered(actor: Any, params: ProductQuery) -> QuerySet[Product, dict[str, Any]]:
    products = _visible(actor, include_archived=params.include_archived)
    if params.search:
        products = search.matching(products, params.search)
    if params.category_id is not None:
        path = _category_path(actor, params.category_id)
        products = products.filter(category__path__startswith=path)
    for code, value in params.attributes:
        wanted = ProductAttributeValue.objects.filter(attribute__code=code, value=value)
        products = products.filter(pk__in=wanted.values("product_id"))
    if params.min_price is not None:
        products = products.filter(price__gte=params.min_price)
    if params.max_price is not None:
        products = products.filter(price__lte=params.max_price)
    if params.in_stock is not None:
        products = products.filter(stock__gt=0) if params.in_stock else products.filter(stock=0)
    return products


def _band(low: Decimal | None, high: Decimal | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(price__gte=low)
    if high is not None:
        condition &= Q(price__lt=high)
    return condition


BANDS: list[tuple[Decimal | None, Decimal | None]] = list(
    zip((None, *PRICE_BANDS), (*PRICE_BANDS, None), strict=True)
)


def _facets(products: QuerySet[Product, dict[str, Any]]) -> dict[str, Any]:
    """Counts over every product of `products`, in two queries whatever their number: one
    pass per category (its count and its price bands), one over the attribute values."""
    per_category = list(
        products.values("category_id", "category__name")
        .annotate(
            count=Count("id"),
            **{f"band{i}": Count("id", filter=_band(*b)) for i, b in enumerate(BANDS)},
        )
        .order_by("-count", "category__name")
    )
    values = (
        ProductAttributeValue.objects.filter(product_id__in=products.order_by().values("id"))
        .values("attribute__code", "value")
        .annotate(count=Count("product_id"))
        .order_by("attribute__code", "-count", "value")[:MAX_ATTRIBUTE_FACETS]
    )
    bands = [sum(row[f"band{i}"] for row in per_category) for i in range(len(BANDS))]
    return {
        "categories": [
            {"id": c["category_id"], "name": c["category__name"], "count": c["count"]}
            for c in per_category
            if c["category_id"] is not None
        ],
        "price_bands": [
            {"min": low, "max": high, "count": count}
            for (low, high), count in zip(BANDS, bands, strict=True)
            if count
        ],
        "attributes": [
            {"code": v["attribute__code"], "value": v["value"], "count": v["count"]} for v in values
        ],
    }


@query(role=ANYONE, output=ProductOut, page_extra=ProductPageExtra, errors=[CategoryNotFound])
def product_list(*, actor: Any, params: ProductQuery) -> Page:
    """List products: newest first, or by relevance to `search` (words of the name,
    description, category or attributes); filter by category (with its descendants),
    attribute values, price and stock; `facets=true` adds counts per category, price band
    and attribute value of all the matches.

    Anyone may list active products; merchants may include archived ones."""
    ordering = params.ordering or ("relevance" if params.search else "newest")
    if not params.search and not params.facets:  # one hand-written statement, no compile
        return list_sql.product_page(params, ordering=ORDERINGS[ordering], staff=_staff(actor))
    return orm_page(actor, params)


def orm_page(actor: Any, params: ProductQuery) -> Page:
    """`product_list` through the ORM: the list's reference (list_sql's page must equal it,
    apps/catalog/tests/test_list_sql.py), and its implementation with search or facets."""
    ordering = params.ordering or ("relevance" if params.search else "newest")
    with search.session(params.search):
        products = _filtered(actor, params)
        ranked = products
        if ordering == "relevance":
            assert params.search is not None
            ranked = search.ranked(products, params.search)
        page = keyset_page(
            ranked, ordering=ORDERINGS[ordering], size=params.page_size, cursor=params.cursor
        )
        extra = {"facets": _facets(products)} if params.facets else {}
    if ordering == "relevance":
        for row in page.results:
            del row["rank"]
    return Page(results=page.results, next_cursor=page.next_cursor, extra=extra)


def images_of(product_id: int) -> list[dict[str, Any]]:
    """A product's images, in their order, with the storage's URLs."""
    rows = ProductImage.objects.filter(product_id=product_id).values(
        "id", "image", "thumbnail", "width", "height", "alt", "position"
    )
    return [image_out(row) for row in rows.order_by("position", "id")]


_CATEGORY_OF = ("category__name", "category__slug", "category__path")


@query(role=ANYONE, output=ProductDetailOut, errors=[ProductNotFound])
def product_get(*, actor: Any, product_id: int) -> dict[str, Any]:
    """One product with its category, attribute values, images and variants (one statement
    on PostgreSQL, four queries elsewhere). Archived products are visible to merchants only."""
    staff = _staff(actor)
    found = _detail(product_id, active_only=not staff, archived_variants=staff)
    if found is None:
        raise ProductNotFound()
    return found


def _detail(product_id: int, *, active_only: bool, archived_variants: bool) -> Any:
    found = detail_sql.detail(
        product_id, active_only=active_only, archived_variants=archived_variants
    )
    if found is NotImplemented:  # not PostgreSQL
        return orm_detail(product_id, active_only=active_only, archived_variants=archived_variants)
    return found


def orm_detail(
    product_id: int, *, active_only: bool, archived_variants: bool
) -> dict[str, Any] | None:
    """A product's detail in four ORM queries (None if not found): the reference detail_sql
    must equal (apps/catalog/tests/test_detail_queries.py), and the detail off PostgreSQL."""
    products = Product.objects.filter(is_active=True) if active_only else Product.objects.all()
    row = products.filter(pk=product_id).values(*PRODUCT_FIELDS, "category_id", *_CATEGORY_OF)
    found = row.first()
    if found is None:
        return None
    return product_detail(found, archived_variants=archived_variants)


def variants_of(product_id: int, price: Any, *, archived: bool) -> list[dict[str, Any]]:
    """A product's variants by id (active ones only unless `archived`), at the price each
    sells at (`price`: the product's)."""
    variants = Variant.objects.filter(product_id=product_id)
    if not archived:
        variants = variants.filter(is_active=True)
    rows = variants.order_by("id").values("id", "sku", "attributes", "price", "stock", "is_active")
    return [variant_out(row, price) for row in rows]


def product_detail(row: dict[str, Any], *, archived_variants: bool) -> dict[str, Any]:
    """A product row (PRODUCT_FIELDS, its category's id, name, slug and path) as the detail."""
    category_id = row.pop("category_id")
    name, slug, path = (row.pop(k) for k in _CATEGORY_OF)
    attributes = (
        ProductAttributeValue.objects.filter(product_id=row["id"])
        .values("attribute__code", "attribute__name", "value")
        .order_by("attribute__code")
    )
    return {
        **row,
        "category": (
            None
            if category_id is None
            else {"id": category_id, "name": name, "slug": slug, "path": path}
        ),
        "attributes": [
            {"code": a["attribute__code"], "name": a["attribute__name"], "value": a["value"]}
            for a in attributes
        ],
        "images": images_of(row["id"]),
        "variants": variants_of(row["id"], row["price"], archived=archived_variants),
    }


def product_detail_of(product_id: int) -> dict[str, Any]:
    """The detail of a product, archived or not (for services' results)."""
    found = _detail(product_id, active_only=False, archived_variants=True)
    if found is None:
        raise Product.DoesNotExist()
    return found


@query(role=ANYONE, output=CategoryOut)
def category_list(*, actor: Any, params: CategoryQuery) -> list[dict[str, Any]]:
    """The category tree, in tree order (each category after its parent). Archived ones are
    listed to merchants only, with `include_archived=true`."""
    categories = Category.objects.all()
    if not (params.include_archived and _staff(actor)):
        categories = categories.filter(is_active=True)
    return list(categories.order_by("path").values(*CATEGORY_FIELDS))


@query(role=ANYONE, output=CategoryOut, errors=[CategoryNotFound])
def category_get(*, actor: Any, category_id: int) -> dict[str, Any]:
    """One category. Archived categories are visible to merchants only."""
    categories = Category.objects.filter(pk=category_id)
    if not _staff(actor):
        categories = categories.filter(is_active=True)
    row = categories.values(*CATEGORY_FIELDS).first()
    if row is None:
        raise CategoryNotFound()
    return row


@query(role=ANYONE, output=AttributeOut)
def attribute_list(*, actor: Any) -> list[dict[str, Any]]:
    """The attributes products are described by, by code."""
    rows = Attribute.objects.order_by("code").values("id", "code", "name", "is_active")
    return [dict(row) for row in rows]


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
