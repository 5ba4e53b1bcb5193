"""The address book's services: a customer keeps addresses and picks a default.

At most one address per customer is the default (a partial unique constraint). Every change
locks the customer's book first (their user row), so two requests at once cannot both set one.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from apps.addresses.dto import AddressChanges, AddressOut, AddressRef, NewAddress
from apps.addresses.errors import AddressBookFull, AddressNotFound
from apps.addresses.models import Address
from apps.addresses.selectors import addresses_of
from apps.roles import SHOPPER
from servicelayer.registry import service

# A book this long is no customer's: the bound keeps lists and locks small.
MAX_ADDRESSES = 50


def _out(address: Address) -> AddressOut:
    return AddressOut.model_validate(address, from_attributes=True)


def _lock_book(owner: Any) -> list[Address]:
    """`owner`'s addresses, with the book locked: the customer's user row, which exists even
    while the book is empty, so that two first addresses at once cannot both be the default."""
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
    return list(addresses_of(owner).order_by("id"))


def _locked(owner: Any, address_id: int) -> tuple[Address, list[Address]]:
    book = _lock_book(owner)
    for address in book:
        if address.pk == address_id:
            return address, book
    raise AddressNotFound()


def _make_default(address: Address) -> None:
    """Make `address` the one default of its (locked) book."""
    addresses_of(address.owner_id).filter(is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    address.is_default = True
    address.save(update_fields=["is_default", "updated_at"])


@service(role=SHOPPER, errors=[AddressBookFull], atomic=True)
def address_create(*, actor: User, data: NewAddress) -> AddressOut:
    """Add an address to your book. Your first address becomes your default, and so does one
    added with `is_default`. A book holds at most MAX_ADDRESSES (50) addresses."""
    book = _lock_book(actor)
    if len(book) >= MAX_ADDRESSES:
        raise AddressBookFull(details={"limit": MAX_ADDRESSES})
    address = Address.objects.create(owner=actor, **data.model_dump(exclude={"is_default"}))
    if data.is_default or not book:
        _make_default(address)
    return _out(address)


@service(role=SHOPPER, errors=[AddressNotFound], atomic=True)
def address_update(*, actor: User, data: AddressChanges) -> AddressOut:
    """Change an address of your book; fields not given stay as they are. Orders that were
    given it keep the copy they took."""
    address, _ = _locked(actor, data.address_id)
    changes = data.model_dump(include=data.model_fields_set - {"address_id"})
    for name, value in changes.items():
        setattr(address, name, value)
    address.save(update_fields=[*changes, "updated_at"])
    return _out(address)


@service(role=SHOPPER, errors=[AddressNotFound], atomic=True)
def address_set_default(*, actor: User, data: AddressRef) -> AddressOut:
    """Make an address of your book the default one (the one before stops being it)."""
    address, _ = _locked(actor, data.address_id)
    _make_default(address)
    return _out(address)


@service(role=SHOPPER, errors=[AddressNotFound], atomic=True)
def address_delete(*, actor: User, data: AddressRef) -> None:
    """Delete an address of your book; orders keep their copy. If it was the default, your
    oldest remaining address becomes the default."""
    address, book = _locked(actor, data.address_id)
    rest = [other for other in book if other.pk != address.pk]
    address.delete()
    if address.is_default and rest:
        _make_default(rest[0])
