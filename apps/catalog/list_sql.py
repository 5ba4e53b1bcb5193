"""The product list's page in hand-written SQL: one statement, no ORM compile.

Compiling the ORM's query was about a sixth of a list request (docs/performance.md, "The fixed
cost per request"), more than the page's SQL itself. This module writes the same statement as
`selectors._orm_page` has the ORM compile, for every filter and ordering of the list except a
search (its PostgreSQL expressions and rank stay with the ORM, apps/catalog/search.py) and
facets (their counts are ORM queries anyway). The ORM selector stays the reference:
apps/catalog/tests/test_list_sql.py checks, for random filters, orderings, page sizes and
walks through cursors, that both give the same rows in the same order and the same cursors.

The statement's text depends only on the query's shape (which filters are given, the
ordering, whether there is a cursor), so it is built once per shape; the values are
parameters, prepared by their model fields as the ORM prepares them, and the columns come back
through the same converters the ORM applies (SQLite's decimals, date-times and booleans), so
rows and cursors are the ORM's, value for value. The same text runs on PostgreSQL and SQLite.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field

from apps.catalog.dto import PRODUCT_FIELDS, ProductQuery
from apps.catalog.errors import CategoryNotFound
from apps.catalog.models import Attribute, Category, Product, ProductAttributeValue
from servicelayer.pagination import Page, cursor_values, encode_cursor, with_tie_breaker

_PRODUCT = Product._meta.db_table
_CATEGORY = Category._meta.db_table
_VALUE = ProductAttributeValue._meta.db_table
_ATTRIBUTE = Attribute._meta.db_table
_FIELDS: dict[str, Field[Any, Any]] = {
    name: Product._meta.get_field(name)  # type: ignore[misc]
    for name in PRODUCT_FIELDS
}
_SELECT = ", ".join(f"p.{_FIELDS[name].column}" for name in PRODUCT_FIELDS)
# the cursor's values are checked against these fields (the ORM's own checks)
_CHECKED = Product.objects.all()


@dataclass(frozen=True)
class Shape:
    """What the statement's text depends on (never on a value)."""

    active_only: bool
    category: bool
    attributes: int  # how many code:value filters
    min_price: bool
    max_price: bool
    in_stock: bool | None
    ordering: tuple[str, ...]  # with the id as tie-breaker
    after: bool  # a cursor is given


def _column(term: str) -> str:
    return f"p.{_FIELDS[term.lstrip('-')].column}"


@cache
def statement(shape: Shape) -> str:
    """The page's SQL for `shape`: its parameters are those `_parameters` lists, in order."""
    where: list[str] = []
    if shape.active_only:
        where.append("p.is_active")
    if shape.category:
        # the ORM's category__path__startswith: a prefix of the materialized path
        where.append(
            f"p.category_id IN (SELECT c.id FROM {_CATEGORY} c WHERE c.path LIKE %s ESCAPE '\\')"
        )
    for _ in range(shape.attributes):
        where.append(
            f"p.id IN (SELECT v.product_id FROM {_VALUE} v JOIN {_ATTRIBUTE} a "
            "ON a.id = v.attribute_id WHERE a.code = %s AND v.value = %s)"
        )
    if shape.min_price:
        where.append("p.price >= %s")
    if shape.max_price:
        where.append("p.price <= %s")
    if shape.in_stock is not None:
        where.append("p.stock > 0" if shape.in_stock else "p.stock = 0")
    if shape.after:  # strictly after the cursor: (a > x) OR (a = x AND b > y), as the ORM's
        branches = []
        for i, term in enumerate(shape.ordering):
            equal = [f"{_column(prior)} = %s" for prior in shape.ordering[:i]]
            beyond = f"{_column(term)} {'<' if term.startswith('-') else '>'} %s"
            branches.append("(" + " AND ".join([*equal, beyond]) + ")")
        where.append("(" + " OR ".join(branches) + ")")
    order = ", ".join(
        f"{_column(term)} {'DESC' if term.startswith('-') else 'ASC'}" for term in shape.ordering
    )
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {_SELECT} FROM {_PRODUCT} p{condition} ORDER BY {order} LIMIT %s"


def _prepared(name: str, value: Any) -> Any:
    """`value` as the ORM sends it for the column `name` (SQLite: decimals and date-times
    as text)."""
    return _FIELDS[name].get_db_prep_value(value, connection, prepared=False)


def _category_prefix(category_id: int, *, staff: bool) -> str:
    """The LIKE pattern of a category's subtree; CategoryNotFound if not visible."""
    sql = f"SELECT path FROM {_CATEGORY} WHERE id = %s" + ("" if staff else " AND is_active")
    with connection.cursor() as cursor:
        cursor.execute(sql, [category_id])
        found = cursor.fetchone()
    if found is None:
        raise CategoryNotFound()
    return connection.ops.prep_for_like_query(found[0]) + "%"


Converter = tuple[Callable[..., Any], Any]  # a converter and the column it is called with


def _converters() -> list[tuple[int, list[Converter]]]:
    """Per column, the converters the ORM applies to what the database driver returns (none
    on PostgreSQL; SQLite's decimals, date-times and booleans)."""
    found = []
    for i, name in enumerate(PRODUCT_FIELDS):
        column = _FIELDS[name].get_col(_PRODUCT)
        chain = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if chain:
            found.append((i, [(converter, column) for converter in chain]))
    return found


@cache
def _converts(vendor: str) -> bool:
    """Whether the ORM converts any column on this database (finding the converters costs
    about 60 us a page; PostgreSQL has none, so it never pays for them)."""
    return bool(_converters())


def _rows(raw: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    if not _converts(connection.vendor):
        return [dict(zip(PRODUCT_FIELDS, values, strict=True)) for values in raw]
    converters = _converters()
    rows = []
    for values in raw:
        row = list(values)
        for i, chain in converters:
            for converter, column in chain:
                row[i] = converter(row[i], column, connection)
        rows.append(dict(zip(PRODUCT_FIELDS, row, strict=True)))
    return rows


def product_page(params: ProductQuery, *, ordering: Sequence[str], staff: bool) -> Page:
    """One page of the product list, without search or facets: what `keyset_page` gives for
    `selectors._filtered`'s queryset, in one statement (two with a category: its path)."""
    assert not params.search
    assert not params.facets
    full = with_tie_breaker(Product, ordering)
    shape = Shape(
        active_only=not (params.include_archived and staff),
        category=params.category_id is not None,
        attributes=len(params.attributes),
        min_price=params.min_price is not None,
        max_price=params.max_price is not None,
        in_stock=params.in_stock,
        ordering=tuple(full),
        after=bool(params.cursor),
    )
    values: list[Any] = []
    if params.category_id is not None:
        values.append(_category_prefix(params.category_id, staff=staff))
    for code, wanted in params.attributes:
        values += [code, wanted]
    if params.min_price is not None:
        values.append(_prepared("price", params.min_price))
    if params.max_price is not None:
        values.append(_prepared("price", params.max_price))
    if params.cursor:
        after = [
            _prepared(term.lstrip("-"), value)
            for term, value in zip(full, cursor_values(_CHECKED, full, params.cursor), strict=True)
        ]
        for i in range(len(full)):  # branch i: the terms before it equal, its own beyond
            values += after[: i + 1]
    values.append(params.page_size + 1)
    with connection.cursor() as cursor:
        cursor.execute(statement(shape), values)
        rows = _rows(cursor.fetchall())
    next_cursor = None
    if len(rows) > params.page_size:
        rows = rows[: params.page_size]
        last = rows[-1]
        next_cursor = encode_cursor([last[term.lstrip("-")] for term in full])
    return Page(results=rows, next_cursor=next_cursor)
