"""Keyset (cursor) pagination over a values() queryset: constant cost per page, no COUNT(*).

The cursor is the ordering values of the last row of a page, opaque to clients (base64 JSON).
A cursor is untrusted input: each value is checked against its ordering field's type and
column bounds (text without NUL and within its length, a decimal within its digits, an integer
within the column's range, an ISO date-time with its time zone, ...) before it reaches SQL, so
a crafted one is a 400, never a database error.
Ordering fields must not be NULL; the primary key is always added last as the tie-breaker, in
the direction of the last ordering field, so that an index on (field, id) serves the ORDER BY
in either direction instead of a sort of the whole table.
"""

import base64
import binascii
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import DecimalValidator
from django.db import connections, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils import dateparse, timezone

from servicelayer import jsonutil
from servicelayer.errors import InvalidInput


@dataclass(frozen=True)
class Page:
    results: list[dict[str, Any]]
    next_cursor: str | None
    # keys rendered beside `next` and `results` (a query's `page_extra` documents them)
    extra: Mapping[str, Any] = field(default_factory=dict)


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


def _field_of(queryset: QuerySet[Any, Any], name: str) -> Any:
    """The model field (or annotation's output field) an ordering term sorts by; a relation
    stands for the column it holds (its target's type)."""
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    model, *path, last = [queryset.model, *name.split(LOOKUP_SEP)]
    for part in path:
        model = model._meta.get_field(part).related_model
    field = model._meta.get_field(last)
    while field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    return field


_BAD_VALUE = (DjangoValidationError, ValueError, TypeError)
_INT_64 = BaseDatabaseOperations.integer_field_ranges["BigIntegerField"]


def _column_value(field: Any, value: Any, ops: BaseDatabaseOperations) -> Any:
    """`value` as the column of `field` holds it; ValueError (or kin) if it cannot be one."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL")  # PostgreSQL refuses NUL in any text parameter
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise TypeError("not a boolean")
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean")  # JSON true is neither a number, a text nor a date
    if isinstance(field, models.IntegerField):  # AutoField and every integer size
        try:
            low, high = ops.integer_field_range(field.get_internal_type())
        except KeyError:  # a custom integer field: the widest column
            low, high = _INT_64
        if not isinstance(value, int) or not low <= value <= high:
            raise ValueError("not an integer in the column's range")
        return value
    if isinstance(field, models.DecimalField):
        if not isinstance(value, (str, int, float)):
            raise TypeError("not a number")
        number = Decimal(str(value))
        DecimalValidator(field.max_digits, field.decimal_places)(number)  # finite, fits
        return number
    if isinstance(field, models.FloatField):
        if not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise ValueError("not a finite number")
        return float(value)
    if not isinstance(value, str):
        raise TypeError("not a text")
    if isinstance(field, (models.CharField, models.TextField)):
        if field.max_length is not None and len(value) > field.max_length:
            raise ValueError("too long")
        return value
    if isinstance(field, models.DateTimeField):
        moment = dateparse.parse_datetime(value)
        if moment is None or timezone.is_aware(moment) != settings.USE_TZ:
            raise ValueError("not an ISO date-time (with a time zone if USE_TZ)")
        if settings.USE_TZ:
            moment.astimezone(UTC)  # OverflowError out of the years 1 to 9999 in UTC
        return moment
    if isinstance(field, models.DateField):
        day = dateparse.parse_date(value)
        if day is None:
            raise ValueError("not an ISO date")
        return day
    if isinstance(field, models.TimeField):
        time = dateparse.parse_time(value)
        if time is None:
            raise ValueError("not an ISO time")
        return time
    if isinstance(field, models.UUIDField):
        return uuid.UUID(value)
    return field.to_python(value)


def _typed(queryset: QuerySet[Any, Any], ordering: Sequence[str], cursor: str) -> list[Any]:
    """The cursor's values, each checked against its ordering field (InvalidInput if not)."""
    values = decode_cursor(cursor, len(ordering))
    ops = connections[queryset.db].ops
    try:
        return [
            _column_value(_field_of(queryset, term.lstrip("-")), value, ops)
            for term, value in zip(ordering, values, strict=True)
        ]
    except (*_BAD_VALUE, OverflowError, InvalidOperation):
        raise _invalid_cursor() from None


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


def with_tie_breaker(model: type[models.Model], ordering: Sequence[str]) -> list[str]:
    """`ordering` with the primary key last (if it is not), in the last term's direction."""
    pk = model._meta.pk
    assert pk is not None
    if ordering[-1].lstrip("-") == pk.name:
        return list(ordering)
    direction = "-" if ordering[-1].startswith("-") else ""
    return [*ordering, direction + pk.name]


def cursor_values(queryset: QuerySet[Any, Any], ordering: Sequence[str], cursor: str) -> list[Any]:
    """A cursor's values for `ordering` (with its tie-breaker), each checked against its field
    of `queryset`'s model as `keyset_page` checks them: InvalidInput if one is not valid. For
    pages written in SQL by hand, which must take the same cursors."""
    return _typed(queryset, ordering, cursor)


def keyset_page(
    queryset: QuerySet[Any, Any],
    *,
    ordering: Sequence[str],
    size: int,
    cursor: str | None = None,
) -> Page:
    """One page of `queryset` (a values() queryset that includes every ordering field)."""
    ordering = with_tie_breaker(queryset.model, ordering)
    queryset = queryset.order_by(*ordering)
    if cursor:
        after = _after(ordering, _typed(queryset, ordering, cursor))
        try:  # a field type the checks above do not know may still refuse the value here
            queryset = queryset.filter(after)
        except _BAD_VALUE:
            raise _invalid_cursor() from None
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([last[term.lstrip("-")] for term in ordering])
    return Page(results=rows, next_cursor=next_cursor)
