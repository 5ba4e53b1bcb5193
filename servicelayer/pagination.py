"""Keyset (cursor) pagination over a values() queryset: constant cost per page, no COUNT(*).

The cursor is the ordering values of the last row of a page, opaque to clients (base64 JSON).
Ordering fields must not be NULL; the primary key is always added last as the tie-breaker, in
the direction of the last ordering field, so that an index on (field, id) serves the ORDER BY
in either direction instead of a sort of the whole table.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from servicelayer import jsonutil
from servicelayer.errors import InvalidInput


@dataclass(frozen=True)
class Page:
    results: list[dict[str, Any]]
    next_cursor: str | None


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(fields={"cursor": ["This cursor is not valid; start from the first page."]})


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(jsonutil.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise _invalid_cursor() from None
    if not isinstance(values, list) or len(values) != length:
        raise _invalid_cursor()
    if any(not isinstance(v, (str, int, float, bool)) for v in values):
        raise _invalid_cursor()
    return values


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) OR (a = x AND b > y) OR ..."""
    condition = Q()
    for i, term in enumerate(ordering):
        name = term.lstrip("-")
        lookup = "lt" if term.startswith("-") else "gt"
        branch = Q(**{f"{name}__{lookup}": values[i]})
        for prior, value in zip(ordering[:i], values[:i], strict=True):
            branch &= Q(**{prior.lstrip("-"): value})
        condition |= branch
    return condition


def keyset_page(
    queryset: QuerySet[Any, Any],
    *,
    ordering: Sequence[str],
    size: int,
    cursor: str | None = None,
) -> Page:
    """One page of `queryset` (a values() queryset that includes every ordering field)."""
    pk = queryset.model._meta.pk
    assert pk is not None
    pk_name = pk.name
    if ordering[-1].lstrip("-") != pk_name:
        direction = "-" if ordering[-1].startswith("-") else ""
        ordering = [*ordering, direction + pk_name]
    queryset = queryset.order_by(*ordering)
    if cursor:
        try:
            queryset = queryset.filter(_after(ordering, decode_cursor(cursor, len(ordering))))
        except (DjangoValidationError, ValueError, TypeError):
            raise _invalid_cursor() from None
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([last[term.lstrip("-")] for term in ordering])
    return Page(results=rows, next_cursor=next_cursor)
