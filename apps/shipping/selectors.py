"""Reads of shipping methods: anyone sees the active ones; merchants the archived ones too.

A merchant offers a handful of methods, so a list is one query and no page."""

from typing import Any

from apps.roles import ANYONE
from apps.shipping.dto import SHIPPING_METHOD_FIELDS, ShippingMethodOut, ShippingMethodQuery
from apps.shipping.errors import ShippingMethodNotFound
from apps.shipping.models import ShippingMethod
from servicelayer.queries import query


def _visible(actor: Any, *, include_archived: bool) -> Any:
    methods = ShippingMethod.objects.order_by("price", "id")
    if include_archived and actor is not None and actor.is_staff:
        return methods
    return methods.filter(is_active=True)


@query(role=ANYONE, output=ShippingMethodOut)
def shipping_method_list(*, actor: Any, params: ShippingMethodQuery) -> list[dict[str, Any]]:
    """The shipping methods on offer, cheapest first; `country` keeps those that ship there.
    Merchants may include archived ones."""
    rows = _visible(actor, include_archived=params.include_archived).values(*SHIPPING_METHOD_FIELDS)
    # a JSON list is filtered here: containment lookups differ between SQLite and PostgreSQL
    return [row for row in rows if params.country is None or params.country in row["countries"]]


@query(role=ANYONE, output=ShippingMethodOut, errors=[ShippingMethodNotFound])
def shipping_method_get(*, actor: Any, shipping_method_id: int) -> dict[str, Any]:
    """One shipping method. Archived ones are visible to merchants only."""
    row = (
        _visible(actor, include_archived=True)
        .filter(pk=shipping_method_id)
        .values(*SHIPPING_METHOD_FIELDS)
        .first()
    )
    if row is None or not (row["is_active"] or (actor is not None and actor.is_staff)):
        raise ShippingMethodNotFound()
    return row
