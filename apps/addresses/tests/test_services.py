"""The address book, called directly: ownership, one default, partial updates."""

import pytest
from django.db import IntegrityError, transaction

from apps.addresses.dto import AddressChanges, AddressRef, NewAddress
from apps.addresses.errors import AddressBookFull, AddressNotFound
from apps.addresses.interface import address_snapshot
from apps.addresses.models import Address
from apps.addresses.selectors import address_get, address_list
from apps.addresses.services import (
    MAX_ADDRESSES,
    address_create,
    address_delete,
    address_set_default,
    address_update,
)
from servicelayer.dto import validate_input
from servicelayer.errors import InvalidInput


def new(**changes):
    fields = {
        "name": "Alice Martin",
        "line1": "Torstrasse 12",
        "city": "Berlin",
        "postal_code": "10119",
        "country": "DE",
    }
    return NewAddress(**{**fields, **changes})


def defaults_of(user):
    return [a["id"] for a in address_list(actor=user) if a["is_default"]]


def test_the_first_address_is_the_default_and_a_later_one_may_take_over(shopper):
    home = address_create(actor=shopper, data=new())
    office = address_create(actor=shopper, data=new(line1="Office 1"))
    assert (home.is_default, office.is_default) == (True, False)
    address_set_default(actor=shopper, data=AddressRef(address_id=office.id))
    assert defaults_of(shopper) == [office.id]
    third = address_create(actor=shopper, data=new(line1="Cottage", is_default=True))
    assert defaults_of(shopper) == [third.id]


def test_the_database_refuses_a_second_default(shopper):
    address_create(actor=shopper, data=new())
    Address.objects.create(owner=shopper, **new(line1="x").model_dump(exclude={"is_default"}))
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.filter(owner=shopper).update(is_default=True)


def test_deleting_the_default_makes_the_oldest_remaining_one_the_default(shopper):
    home = address_create(actor=shopper, data=new())
    office = address_create(actor=shopper, data=new(line1="Office 1"))
    address_create(actor=shopper, data=new(line1="Cottage"))
    address_delete(actor=shopper, data=AddressRef(address_id=home.id))
    assert defaults_of(shopper) == [office.id]


def test_an_update_changes_only_the_fields_given(shopper):
    home = address_create(actor=shopper, data=new(phone="+49 30 1234"))
    changed = address_update(
        actor=shopper, data=AddressChanges(address_id=home.id, city="Potsdam", country="de")
    )
    assert (changed.city, changed.country, changed.line1, changed.phone) == (
        "Potsdam",
        "DE",
        "Torstrasse 12",
        "+49 30 1234",
    )


def test_another_customers_address_is_not_found(shopper, other_shopper):
    theirs = address_create(actor=other_shopper, data=new())
    with pytest.raises(AddressNotFound):
        address_get(actor=shopper, address_id=theirs.id)
    ref = AddressRef(address_id=theirs.id)
    with pytest.raises(AddressNotFound):
        address_update(actor=shopper, data=AddressChanges(address_id=theirs.id, city="X"))
    with pytest.raises(AddressNotFound):
        address_set_default(actor=shopper, data=ref)
    with pytest.raises(AddressNotFound):
        address_delete(actor=shopper, data=ref)
    assert address_list(actor=shopper) == []
    assert address_snapshot(shopper.pk, theirs.id) is None
    copy = address_snapshot(other_shopper.pk, theirs.id)
    assert copy is not None
    assert copy.city == "Berlin"


@pytest.mark.parametrize("country", ["XX", "D", "DEU", "", "12"])
def test_a_country_must_be_an_iso_code(country):
    with pytest.raises(InvalidInput) as caught:
        validate_input(NewAddress, {**new().model_dump(), "country": country})
    assert "country" in caught.value.fields


def test_an_update_must_change_something_and_never_to_null():
    with pytest.raises(InvalidInput):
        validate_input(AddressChanges, {"address_id": 1})
    with pytest.raises(InvalidInput):
        validate_input(AddressChanges, {"address_id": 1, "city": None})


def test_a_book_holds_a_bounded_number_of_addresses(shopper):
    Address.objects.bulk_create(
        Address(owner=shopper, **new().model_dump(exclude={"is_default"}))
        for _ in range(MAX_ADDRESSES)
    )
    with pytest.raises(AddressBookFull):
        address_create(actor=shopper, data=new())
