"""Property tests of an order's money (hypothesis): whatever the prices, quantities, shipping
price and free-above threshold, the total is the sum of its parts, never negative, every part
is in the currency's minor unit, and the sum is rounded once."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.addresses.dto import NewAddress
from apps.addresses.services import address_create
from apps.money import minor_unit, quantize_money, total_of
from apps.ordering.dto import (
    BasketItem,
    OrderShippingAddress,
    OrderShippingMethod,
)
from apps.ordering.pricing import line_total, lines_total, order_total
from apps.ordering.services import (
    basket_add_item,
    order_choose_shipping,
    order_confirm,
    order_set_address,
)
from apps.shipping.dto import NewShippingMethod
from apps.shipping.interface import ShippingMethodData
from apps.shipping.services import shipping_method_create
from tests.factories import ProductFactory

CENT = Decimal("0.01")
prices = st.decimals(min_value=CENT, max_value=Decimal("99999.99"), places=2)
shipping_prices = st.decimals(min_value=Decimal(0), max_value=Decimal("999.99"), places=2)
quantities = st.integers(min_value=1, max_value=1000)
lines = st.lists(st.tuples(prices, quantities), min_size=1, max_size=8)
thresholds = st.none() | st.decimals(min_value=CENT, max_value=Decimal("9999.99"), places=2)


def in_minor_units(amount: Decimal) -> bool:
    return quantize_money(amount) == amount and amount.as_tuple().exponent == -2


@given(lines=lines, shipping=shipping_prices, free_above=thresholds)
def test_a_total_is_its_lines_plus_shipping(lines, shipping, free_above):
    method = ShippingMethodData(1, "Standard", shipping, free_above, frozenset({"DE"}))
    totals = [line_total(price, quantity) for price, quantity in lines]
    goods = lines_total(totals)
    offer = method.quote("DE", goods)
    assert offer is not None
    total = order_total(totals, offer.price)
    assert total == goods + offer.price  # the sum of its parts, exactly
    assert total == quantize_money(sum(totals) + offer.price)
    assert total >= 0
    assert offer.price >= 0
    assert all(in_minor_units(part) for part in [*totals, goods, offer.price, total])
    free = free_above is not None and goods >= free_above
    assert offer.price == (Decimal("0.00") if free else shipping)


@given(parts=st.lists(st.decimals(min_value=0, max_value=10**6, places=4), max_size=10))
def test_a_sum_is_rounded_once(parts):
    assert total_of(parts) == quantize_money(sum(parts, Decimal(0)))
    assert total_of(parts) >= 0
    assert abs(total_of(parts) - sum(parts, Decimal(0))) <= minor_unit() / 2


@pytest.mark.parametrize(("currency", "unit"), [("EUR", "0.01"), ("JPY", "1")])
def test_the_minor_unit_follows_the_currency(currency, unit):
    assert minor_unit(currency) == Decimal(unit)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(
        st.tuples(st.decimals(min_value=CENT, max_value=Decimal("999.99"), places=2), quantities),
        min_size=1,
        max_size=4,
    ),
    shipping=shipping_prices,
    free_above=thresholds,
)
def test_an_order_through_the_services_totals_its_parts(
    merchant, shopper, lines, shipping, free_above
):
    """The same properties, end to end: a basket confirmed, sent, priced, as stored."""
    try:
        with transaction.atomic():
            for price, quantity in lines:
                product = ProductFactory.create(name="P", price=price, stock=quantity, ships=True)
                basket_add_item(
                    actor=shopper, data=BasketItem(product_id=product.pk, quantity=quantity)
                )
            order = order_confirm(actor=shopper)
            home = address_create(
                actor=shopper,
                data=NewAddress(name="A", line1="L", city="C", postal_code="1", country="DE"),
            )
            method = shipping_method_create(
                actor=merchant,
                data=NewShippingMethod(
                    name="S", price=shipping, free_above=free_above, countries=["DE"]
                ),
            )
            order_set_address(
                actor=shopper, data=OrderShippingAddress(order_id=order.id, address_id=home.id)
            )
            priced = order_choose_shipping(
                actor=shopper,
                data=OrderShippingMethod(order_id=order.id, shipping_method_id=method.id),
            )
            goods = sum((price * quantity for price, quantity in lines), Decimal(0))
            assert priced.lines_total == goods
            assert priced.total == priced.lines_total + priced.shipping_cost
            free = free_above is not None and goods >= free_above
            assert priced.shipping_cost == (Decimal(0) if free else shipping)
            assert priced.total >= 0
            raise Rollback
    except Rollback:
        pass
