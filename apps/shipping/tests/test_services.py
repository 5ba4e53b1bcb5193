"""Shipping methods: the merchant's, quoted for a country and a goods total."""

from decimal import Decimal

import pytest

from apps.shipping.dto import (
    NewShippingMethod,
    ShippingMethodChanges,
    ShippingMethodQuery,
    ShippingMethodRef,
)
from apps.shipping.interface import quote
from apps.shipping.selectors import shipping_method_list
from apps.shipping.services import (
    shipping_method_archive,
    shipping_method_create,
    shipping_method_update,
)
from servicelayer.dto import validate_input
from servicelayer.errors import Forbidden, InvalidInput


@pytest.fixture
def standard(merchant):
    return shipping_method_create(
        actor=merchant,
        data=NewShippingMethod(
            name="Standard", price="4.90", free_above="50.00", countries=["FR", "DE", "de"]
        ),
    )


def price_of(method_id, country, goods_total):
    offer = quote(method_id, country, Decimal(goods_total))
    assert offer is not None
    return offer.price


def test_a_quote_is_the_price_until_the_goods_reach_free_above(standard):
    assert standard.countries == ["DE", "FR"]
    assert price_of(standard.id, "DE", "49.99") == Decimal("4.90")
    assert price_of(standard.id, "DE", "50.00") == Decimal("0.00")
    assert quote(standard.id, "IT", Decimal("10.00")) is None


def test_an_archived_method_is_neither_listed_nor_quoted(merchant, shopper, standard):
    shipping_method_archive(actor=merchant, data=ShippingMethodRef(shipping_method_id=standard.id))
    assert quote(standard.id, "DE", Decimal("1.00")) is None
    assert shipping_method_list(actor=shopper, params=ShippingMethodQuery()) == []
    archived = shipping_method_list(
        actor=merchant, params=ShippingMethodQuery(include_archived=True)
    )
    assert [m["id"] for m in archived] == [standard.id]


def test_the_list_filters_by_country(merchant, shopper, standard):
    shipping_method_create(
        actor=merchant, data=NewShippingMethod(name="Express", price="12.00", countries=["IT"])
    )
    names = [
        m["name"]
        for m in shipping_method_list(actor=None, params=ShippingMethodQuery(country="it"))
    ]
    assert names == ["Express"]


def test_an_update_may_drop_the_free_threshold(merchant, standard):
    changed = shipping_method_update(
        actor=merchant,
        data=ShippingMethodChanges(shipping_method_id=standard.id, free_above=None),
    )
    assert changed.free_above is None
    assert price_of(standard.id, "DE", "500.00") == Decimal("4.90")


@pytest.mark.parametrize(
    "bad",
    [
        {"countries": []},
        {"countries": ["XX"]},
        {"price": "-1.00"},
        {"free_above": "0"},
        {"price": "1.234"},
    ],
)
def test_a_method_is_validated(bad):
    data = {"name": "Standard", "price": "4.90", "countries": ["DE"], **bad}
    with pytest.raises(InvalidInput):
        validate_input(NewShippingMethod, data)


def test_only_merchants_manage_methods(shopper):
    with pytest.raises(Forbidden):
        shipping_method_create(
            actor=shopper, data=NewShippingMethod(name="X", price="1.00", countries=["DE"])
        )
