"""The product list's hand-written SQL (apps/catalog/list_sql.py) against the ORM selector it
replaces (selectors.orm_page, the reference): for random filters, orderings, page sizes and
walks through next cursors, the same rows in the same order and the same cursors, on a
catalog whose ordering columns tie (equal names, prices and creation times)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.catalog import list_sql
from apps.catalog.dto import ProductQuery
from apps.catalog.errors import CategoryNotFound
from apps.catalog.models import Attribute, Category, Product, ProductAttributeValue
from apps.catalog.selectors import ORDERINGS, orm_page
from servicelayer.errors import InvalidInput
from servicelayer.pagination import encode_cursor

PRICES = [Decimal(p) for p in ("5.00", "9.99", "10.00", "10.00", "25.50", "100.00")]
MOMENTS = [
    datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
    datetime(2026, 1, 1, 10, 0, 0, 500000, tzinfo=UTC),
    datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
]
NAMES = ["Lamp", "lamp", "Lantern", "Mug", "Ångström"]
VALUES = {"colour": ["red", "blue"], "size": ["s", "m"]}


def _category(name: str, parent: Category | None = None, *, active: bool = True) -> Category:
    category = Category.objects.create(
        name=name, slug=name.lower(), parent=parent, is_active=active
    )
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.depth = 1 if parent is None else parent.depth + 1
    category.save()
    return category


@pytest.fixture
def catalog(db: None) -> dict[str, Any]:
    home = _category("Home")
    lighting = _category("Lighting", home)
    lamps = _category("Lamps", lighting)
    old = _category("Old", home, active=False)
    kitchen = _category("Kitchen")
    categories = [None, home, lighting, lamps, old, kitchen]
    attributes = {code: Attribute.objects.create(code=code, name=code) for code in VALUES}
    products = Product.objects.bulk_create(
        Product(
            name=NAMES[i % len(NAMES)],
            price=PRICES[i % len(PRICES)],
            stock=(i * 7) % 4,  # a quarter out of stock
            is_active=i % 5 != 0,
            category=categories[i % len(categories)],
        )
        for i in range(36)
    )
    for i, product in enumerate(products):
        # auto_now_add set created_at: the ties are written after
        moment = MOMENTS[i % len(MOMENTS)] + timedelta(days=(i // 12) * (i % 2))
        Product.objects.filter(pk=product.pk).update(created_at=moment)
    ProductAttributeValue.objects.bulk_create(
        ProductAttributeValue(
            product=product,
            attribute=attributes[code],
            value=values[(i // (k + 1)) % len(values)],
        )
        for i, product in enumerate(products)
        for k, (code, values) in enumerate(VALUES.items())
        if (i + k) % 3
    )
    return {"categories": [c.pk for c in categories if c is not None]}


PAIRS = [f"{code}:{value}" for code, values in VALUES.items() for value in values]
PAIRS.append("weight:heavy")  # no such attribute


@st.composite
def queries(draw: Any, category_ids: list[int]) -> dict[str, Any]:
    money = st.sampled_from([*PRICES, Decimal("0"), Decimal("10.01"), Decimal("99999999.99")])
    given: dict[str, Any] = {
        "category_id": draw(st.none() | st.sampled_from([*category_ids, 987654])),
        "min_price": draw(st.none() | money),
        "max_price": draw(st.none() | money),
        "in_stock": draw(st.none() | st.booleans()),
        "include_archived": draw(st.booleans()),
        "ordering": draw(st.none() | st.sampled_from([o for o in ORDERINGS if o != "relevance"])),
        "page_size": draw(st.integers(1, 8)),
    }
    pairs = draw(st.lists(st.sampled_from(PAIRS), max_size=2, unique=True))
    if pairs:
        given["attribute"] = ",".join(pairs)
    return {k: v for k, v in given.items() if v is not None}


def _pages(page: Any, actor: Any, given: dict[str, Any], limit: int) -> list[Any]:
    """The pages a client walks through (at most `limit`), or the error it gets."""
    pages, cursor = [], None
    for _ in range(limit):
        params = ProductQuery(**given, cursor=cursor)
        try:
            result = page(actor, params)
        except CategoryNotFound:
            return ["category_not_found"]
        pages.append((result.results, result.next_cursor))
        cursor = result.next_cursor
        if cursor is None:
            break
    return pages


def _sql(actor: Any, params: ProductQuery) -> Any:
    ordering = ORDERINGS[params.ordering or "newest"]
    return list_sql.product_page(params, ordering=ordering, staff=bool(actor and actor.is_staff))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_sql_page_is_the_orm_page(catalog, merchant, data):
    given = data.draw(queries(catalog["categories"]), label="query")
    actor = data.draw(st.sampled_from([None, merchant]), label="actor")
    expected = _pages(orm_page, actor, given, limit=8)
    assert _pages(_sql, actor, given, limit=8) == expected


def test_a_walk_lists_every_match_once_through_ties(catalog):
    """Not only equal to the ORM: a walk with one row per page meets every active product."""
    given = {"ordering": "price", "page_size": 1}
    pages = _pages(_sql, None, given, limit=100)
    ids = [row["id"] for rows, _ in pages for row in rows]
    assert sorted(ids) == sorted(
        Product.objects.filter(is_active=True).values_list("id", flat=True)
    )
    assert len(ids) == len(set(ids))
    assert pages[-1][1] is None


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(["2026-01-01T10:00:00Z"]),  # one value, the ordering has two
        encode_cursor([5, 1]),  # a number for a date-time
        encode_cursor(["2026-01-01T10:00:00", 1]),  # no time zone
        "not base64 !",
    ],
)
def test_a_bad_cursor_is_refused_as_the_orm_refuses_it(catalog, cursor):
    params = ProductQuery(cursor=cursor)
    with pytest.raises(InvalidInput):
        orm_page(None, params)
    with pytest.raises(InvalidInput):
        _sql(None, params)
