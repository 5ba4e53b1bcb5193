"""Reads of the address book: a customer sees their own addresses only."""

from typing import Any

from django.db.models import QuerySet

from apps.addresses.dto import ADDRESS_FIELDS, AddressOut
from apps.addresses.errors import AddressNotFound
from apps.addresses.models import Address
from apps.roles import SHOPPER
from servicelayer.queries import query


def addresses_of(owner: Any) -> QuerySet[Address]:
    return Address.objects.filter(owner=owner)


@query(role=SHOPPER, output=AddressOut)
def address_list(*, actor: Any) -> list[dict[str, Any]]:
    """Your address book, the default address first, then oldest first."""
    return list(addresses_of(actor).order_by("-is_default", "id").values(*ADDRESS_FIELDS))


@query(role=SHOPPER, output=AddressOut, errors=[AddressNotFound])
def address_get(*, actor: Any, address_id: int) -> dict[str, Any]:
    """One address of your book. Another customer's is not found."""
    row = addresses_of(actor).filter(pk=address_id).values(*ADDRESS_FIELDS).first()
    if row is None:
        raise AddressNotFound()
    return row
