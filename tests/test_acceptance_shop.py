"""The shop's user stories in business words, run against the services (no HTTP)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.dto import NewProduct
from apps.catalog.interface import products_by_ids
from apps.catalog.services import product_create
from apps.ordering.dto import BasketItem, BasketItemCount, OrderRef
from apps.ordering.models import Order
from apps.ordering.selectors import basket_get, order_get
from apps.ordering.services import (
    basket_add_item,
    basket_change_quantity,
    order_confirm,
    order_expire_unpaid,
    order_ship,
)
from apps.payments.dto import NewPayment
from apps.payments.errors import PaymentDeclined
from apps.payments.services import payment_pay


def units_left(product_id):
    return products_by_ids([product_id])[product_id].stock


def status(order_id, who):
    return order_get(actor=who, order_id=order_id)["status"]


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
    # The shopper pays with a card; the money is taken once and the merchant can ship.
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert status(order.id, shopper) == "paid"
    assert [c.amount for c in gateway.charges.values()] == [Decimal("49.90")]
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    assert status(order.id, shopper) == "shipped"


def test_a_declined_card_then_a_successful_retry(merchant, shopper, gateway):
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=1))
    basket_add_item(actor=shopper, data=BasketItem(product_id=kettle.id, quantity=1))
    order = order_confirm(actor=shopper)
    # The bank declines the first card for want of funds: the shopper is told why.
    with pytest.raises(PaymentDeclined) as declined:
        payment_pay(
            actor=shopper,
            data=NewPayment(order_id=order.id, card_token="tok_chargeDeclinedInsufficientFunds"),
        )
    assert declined.value.details["reason"] == "insufficient_funds"
    # The order keeps its kettle while the shopper finds another card.
    assert status(order.id, shopper) == "awaiting_payment"
    assert units_left(kettle.id) == 0
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_mastercard"))
    assert status(order.id, shopper) == "paid"
    assert len(gateway.charges) == 1


def test_an_unpaid_order_expires_and_its_stock_comes_back(merchant, shopper, settings):
    settings.AGORA_ORDER_PAYMENT_MINUTES = 30
    grinder = product_create(
        actor=merchant, data=NewProduct(name="Grinder", price="89.00", stock=1)
    )
    basket_add_item(actor=shopper, data=BasketItem(product_id=grinder.id, quantity=1))
    order = order_confirm(actor=shopper)
    assert units_left(grinder.id) == 0
    # Half an hour passes and the shopper never pays.
    Order.objects.filter(pk=order.id).update(created_at=timezone.now() - timedelta(minutes=31))
    order_expire_unpaid()
    # The order has expired and the grinder is for sale again.
    assert status(order.id, shopper) == "expired"
    assert units_left(grinder.id) == 1
