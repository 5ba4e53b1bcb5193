"""The address book's public interface: a copy of one customer's address, as plain data.

Ordering copies an address onto an order with it, so that later edits of the book change no
past order."""

from dataclasses import dataclass
from typing import Any

from apps.addresses.errors import AddressNotFound
from apps.addresses.models import Address

__all__ = ["AddressData", "AddressNotFound", "address_snapshot"]


@dataclass(frozen=True)
class AddressData:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str


def address_snapshot(owner_id: Any, address_id: int) -> AddressData | None:
    """The address as it is now, if it is in the book of `owner_id` (a user or its id)."""
    row = (
        Address.objects.filter(pk=address_id, owner=owner_id)
        .values_list("name", "line1", "line2", "city", "postal_code", "country", "phone")
        .first()
    )
    return AddressData(*row) if row is not None else None
