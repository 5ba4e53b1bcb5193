"""A merchant puts products on sale, restocks them, and ships and delivers what was paid. The
services, no HTTP."""

import pytest

from apps.catalog.dto import NewProduct, StockChange
from apps.catalog.interface import OutOfStock
from apps.catalog.services import product_create, product_stock_change
from apps.ordering.dto import NewOrder, OrderQuery, OrderRef
from apps.ordering.selectors import order_list
from apps.ordering.services import order_deliver, order_place, order_ship
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay
from tests.acceptance.checkout_steps import send_home
from tests.acceptance.what_they_see import units_left


def test_a_shopper_cannot_buy_what_is_not_there_until_the_merchant_restocks(merchant, shopper):
    mug = product_create(actor=merchant, data=NewProduct(name="Mug", price="8.00", stock=1))
    order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    with pytest.raises(OutOfStock):
        order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    product_stock_change(actor=merchant, data=StockChange(product_id=mug.id, delta=5))
    order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    assert units_left(mug.id) == 4


def test_the_merchant_ships_a_paid_order_and_the_shopper_sees_it_delivered(merchant, shopper):
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=3))
    order = order_place(actor=shopper, data=NewOrder(product_id=kettle.id, quantity=1))
    send_home(merchant, shopper, order.id)
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    delivered = order_deliver(actor=merchant, data=OrderRef(order_id=order.id))
    assert delivered.status == "delivered"
    mine = order_list(actor=shopper, params=OrderQuery())
    assert [(o["id"], o["status"]) for o in mine.results] == [(order.id, "delivered")]
