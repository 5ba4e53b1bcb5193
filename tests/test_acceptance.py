"""User stories in business words, run against the services (no HTTP)."""

from decimal import Decimal

import pytest

from apps.catalog.dto import NewProduct, ProductQuery, ProductRef, StockChange
from apps.catalog.interface import OutOfStock, products_by_ids
from apps.catalog.selectors import product_list
from apps.catalog.services import product_archive, product_create, product_stock_change
from apps.ordering.dto import NewOrder, OrderLineCount, OrderQuery, OrderRef
from apps.ordering.selectors import order_list
from apps.ordering.services import (
    order_cancel,
    order_change_quantity,
    order_deliver,
    order_place,
    order_ship,
)
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay


def stock(product_id):
    return products_by_ids([product_id])[product_id].stock


def test_a_merchant_stocks_a_product_and_a_shopper_buys_it_until_it_arrives(merchant, shopper):
    # The merchant puts a kettle on sale with 3 in stock.
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=3))
    # The shopper finds it in the catalog and orders two.
    found = product_list(actor=shopper, params=ProductQuery(search="kett"))
    assert [p["name"] for p in found.results] == ["Kettle"]
    order = order_place(actor=shopper, data=NewOrder(product_id=kettle.id, quantity=2))
    assert order.total == Decimal("98.00")
    # Only one is left for anybody else.
    assert stock(kettle.id) == 1
    # The shopper changes their mind and wants one only: one goes back on the shelf.
    order = order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=1))
    assert (order.total, stock(kettle.id)) == (Decimal("49.00"), 2)
    # The merchant ships it and it is delivered.
    # The shopper pays; the merchant ships it and it is delivered.
    paid = payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert paid.amount == Decimal("49.00")
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    delivered = order_deliver(actor=merchant, data=OrderRef(order_id=order.id))
    assert delivered.status == "delivered"
    # The shopper sees it among their orders.
    mine = order_list(actor=shopper, params=OrderQuery())
    assert [(o["id"], o["status"]) for o in mine.results] == [(order.id, "delivered")]


def test_a_shopper_cannot_buy_what_is_not_there_until_the_merchant_restocks(merchant, shopper):
    mug = product_create(actor=merchant, data=NewProduct(name="Mug", price="8.00", stock=1))
    order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    with pytest.raises(OutOfStock):
        order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    product_stock_change(actor=merchant, data=StockChange(product_id=mug.id, delta=5))
    order_place(actor=shopper, data=NewOrder(product_id=mug.id, quantity=1))
    assert stock(mug.id) == 4


def test_a_canceled_order_puts_its_stock_back_even_for_an_archived_product(merchant, shopper):
    tea = product_create(actor=merchant, data=NewProduct(name="Tea", price="3.00", stock=4))
    order = order_place(actor=shopper, data=NewOrder(product_id=tea.id, quantity=4))
    product_archive(actor=merchant, data=ProductRef(product_id=tea.id))
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert stock(tea.id) == 4
    assert product_list(actor=shopper, params=ProductQuery()).results == []
