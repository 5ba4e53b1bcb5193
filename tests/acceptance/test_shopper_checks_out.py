"""A shopper checks out: the basket becomes an order, the order is sent to an address of the
book by a shipping method that goes there, and its total (goods + shipping) is paid. Digital
goods skip the middle step. The services, no HTTP."""

from decimal import Decimal

import pytest

from apps.addresses.dto import AddressChanges, NewAddress
from apps.addresses.services import address_create, address_update
from apps.catalog.dto import NewProduct
from apps.catalog.services import product_create
from apps.ordering.dto import BasketItem, OrderLineCount, OrderShippingAddress, OrderShippingMethod
from apps.ordering.errors import ShippingCountryNotServed
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    basket_add_item,
    order_change_quantity,
    order_choose_shipping,
    order_confirm,
    order_set_address,
)
from apps.payments.dto import NewPayment
from apps.payments.errors import PayableNotReady
from apps.payments.services import payment_pay
from apps.shipping.dto import NewShippingMethod, ShippingMethodQuery
from apps.shipping.selectors import shipping_method_list
from apps.shipping.services import shipping_method_create
from tests.acceptance.what_they_see import status_of

HOME = NewAddress(
    name="Alice Martin", line1="Torstrasse 12", city="Berlin", postal_code="10119", country="DE"
)


def test_a_shopper_sends_a_parcel_home_and_pays_goods_and_shipping(merchant, shopper, gateway):
    # The merchant ships within the EU, free above 50, and faster for more.
    standard = shipping_method_create(
        actor=merchant,
        data=NewShippingMethod(
            name="Standard", price="4.90", free_above="50.00", countries=["DE", "FR"]
        ),
    )
    shipping_method_create(
        actor=merchant, data=NewShippingMethod(name="Express", price="12.00", countries=["FR"])
    )
    mug = product_create(actor=merchant, data=NewProduct(name="Mug", price="12.50", stock=10))
    basket_add_item(actor=shopper, data=BasketItem(product_id=mug.id, quantity=2))
    order = order_confirm(actor=shopper)
    # Paying straight away is refused: the shop does not know where the mugs go, nor how.
    with pytest.raises(PayableNotReady) as refused:
        payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert refused.value.details["missing"] == ["shipping_address", "shipping_method"]
    # The shopper sends it home and picks the one method that goes to Germany.
    home = address_create(actor=shopper, data=HOME)
    order_set_address(
        actor=shopper, data=OrderShippingAddress(order_id=order.id, address_id=home.id)
    )
    to_germany = shipping_method_list(actor=shopper, params=ShippingMethodQuery(country="DE"))
    assert [m["name"] for m in to_germany] == ["Standard"]
    priced = order_choose_shipping(
        actor=shopper,
        data=OrderShippingMethod(order_id=order.id, shipping_method_id=standard.id),
    )
    assert (priced.lines_total, priced.shipping_cost, priced.total) == (
        Decimal("25.00"),
        Decimal("4.90"),
        Decimal("29.90"),
    )
    # Two more mugs make it 50.00: shipping becomes free.
    bigger = order_change_quantity(
        actor=shopper, data=OrderLineCount(order_id=order.id, quantity=4)
    )
    assert (bigger.shipping_cost, bigger.total) == (Decimal("0.00"), Decimal("50.00"))
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert status_of(order.id, shopper) == "paid"
    assert [c.amount for c in gateway.charges.values()] == [Decimal("50.00")]
    # The shopper moves; the paid order still goes to the address it was given.
    address_update(actor=shopper, data=AddressChanges(address_id=home.id, city="Hamburg"))
    assert order_get(actor=shopper, order_id=order.id)["shipping_address"]["city"] == "Berlin"


def test_a_method_that_does_not_go_there_is_refused(merchant, shopper):
    express = shipping_method_create(
        actor=merchant, data=NewShippingMethod(name="Express", price="12.00", countries=["FR"])
    )
    lamp = product_create(actor=merchant, data=NewProduct(name="Lamp", price="30.00", stock=1))
    basket_add_item(actor=shopper, data=BasketItem(product_id=lamp.id, quantity=1))
    order = order_confirm(actor=shopper)
    home = address_create(actor=shopper, data=HOME)
    order_set_address(
        actor=shopper, data=OrderShippingAddress(order_id=order.id, address_id=home.id)
    )
    with pytest.raises(ShippingCountryNotServed):
        order_choose_shipping(
            actor=shopper,
            data=OrderShippingMethod(order_id=order.id, shipping_method_id=express.id),
        )


def test_digital_goods_are_paid_without_address_or_shipping(merchant, shopper):
    guide = product_create(
        actor=merchant,
        data=NewProduct(name="Brewing guide", price="9.00", stock=100, ships=False),
    )
    basket_add_item(actor=shopper, data=BasketItem(product_id=guide.id, quantity=1))
    order = order_confirm(actor=shopper)
    paid = payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert paid.amount == Decimal("9.00")
