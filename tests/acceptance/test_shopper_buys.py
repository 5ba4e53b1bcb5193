"""A shopper browses, fills a basket (or orders at once), confirms and pays: the services, no
HTTP."""

from decimal import Decimal

import pytest

from apps.catalog.dto import NewProduct, ProductQuery
from apps.catalog.selectors import product_list
from apps.catalog.services import product_create
from apps.ordering.dto import BasketItem, BasketItemCount, NewOrder, OrderQuery, OrderRef
from apps.ordering.selectors import basket_get, order_list
from apps.ordering.services import (
    basket_add_item,
    basket_change_quantity,
    order_confirm,
    order_place,
    order_ship,
)
from apps.payments.dto import NewPayment
from apps.payments.errors import PaymentDeclined
from apps.payments.services import payment_pay
from tests.acceptance.checkout_steps import send_home
from tests.acceptance.what_they_see import status_of, units_left


def test_a_shopper_finds_a_product_orders_two_and_pays(merchant, shopper):
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=3))
    # The shopper finds the kettle in the catalog and orders two.
    found = product_list(actor=shopper, params=ProductQuery(search="kett"))
    assert [p["name"] for p in found.results] == ["Kettle"]
    order = order_place(actor=shopper, data=NewOrder(product_id=kettle.id, quantity=2))
    assert order.total == Decimal("98.00")
    # Only one is left for anybody else.
    assert units_left(kettle.id) == 1
    # The shopper has it sent home (delivery is free) and pays the whole total.
    send_home(merchant, shopper, order.id)
    paid = payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert paid.amount == Decimal("98.00")
    mine = order_list(actor=shopper, params=OrderQuery())
    assert [(o["id"], o["status"]) for o in mine.results] == [(order.id, "paid")]


def test_a_shopper_fills_a_basket_confirms_and_pays(merchant, shopper, gateway):
    beans = product_create(actor=merchant, data=NewProduct(name="Beans", price="24.90", stock=10))
    mug = product_create(actor=merchant, data=NewProduct(name="Mug", price="12.50", stock=4))
    # The shopper puts two bags of beans and a mug in the basket, then a second mug.
    basket_add_item(actor=shopper, data=BasketItem(product_id=beans.id, quantity=2))
    basket_add_item(actor=shopper, data=BasketItem(product_id=mug.id, quantity=1))
    basket_add_item(actor=shopper, data=BasketItem(product_id=mug.id, quantity=1))
    # On second thought, one bag of beans is enough.
    basket_change_quantity(actor=shopper, data=BasketItemCount(product_id=beans.id, quantity=1))
    assert basket_get(actor=shopper)["total"] == Decimal("49.90")
    # Nothing is set aside until the order is confirmed.
    assert units_left(mug.id) == 4
    order = order_confirm(actor=shopper)
    assert (order.status, order.total) == ("awaiting_payment", Decimal("49.90"))
    assert (units_left(beans.id), units_left(mug.id)) == (9, 2)
    # The shopper has it sent home, pays with a card; the money is taken once and the merchant
    # can ship.
    send_home(merchant, shopper, order.id)
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert status_of(order.id, shopper) == "paid"
    assert [c.amount for c in gateway.charges.values()] == [Decimal("49.90")]
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    assert status_of(order.id, shopper) == "shipped"


def test_a_declined_card_then_a_successful_retry(merchant, shopper, gateway):
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=1))
    basket_add_item(actor=shopper, data=BasketItem(product_id=kettle.id, quantity=1))
    order = order_confirm(actor=shopper)
    send_home(merchant, shopper, order.id)
    # The bank declines the first card for want of funds: the shopper is told why.
    with pytest.raises(PaymentDeclined) as declined:
        payment_pay(
            actor=shopper,
            data=NewPayment(order_id=order.id, card_token="tok_chargeDeclinedInsufficientFunds"),
        )
    assert declined.value.details["reason"] == "insufficient_funds"
    # The order keeps its kettle while the shopper finds another card.
    assert status_of(order.id, shopper) == "awaiting_payment"
    assert units_left(kettle.id) == 0
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_mastercard"))
    assert status_of(order.id, shopper) == "paid"
    assert len(gateway.charges) == 1
