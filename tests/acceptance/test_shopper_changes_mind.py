"""A shopper changes their mind: fewer of a product, a canceled order, a refund, an order left
unpaid. Whatever they give up goes back on the shelf. The services, no HTTP."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.catalog.dto import NewProduct, ProductQuery, ProductRef
from apps.catalog.selectors import product_list
from apps.catalog.services import product_archive, product_create
from apps.ordering.dto import BasketItem, NewOrder, OrderLineCount, OrderRef
from apps.ordering.models import Order
from apps.ordering.services import (
    basket_add_item,
    order_cancel,
    order_change_quantity,
    order_confirm,
    order_expire_unpaid,
    order_place,
)
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay
from tests.acceptance.checkout_steps import send_home
from tests.acceptance.what_they_see import status_of, units_left


def test_a_shopper_wants_one_kettle_instead_of_two_and_pays_for_one(merchant, shopper):
    kettle = product_create(actor=merchant, data=NewProduct(name="Kettle", price="49.00", stock=3))
    order = order_place(actor=shopper, data=NewOrder(product_id=kettle.id, quantity=2))
    # One is enough after all: it goes back on the shelf, and the total follows.
    order = order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=1))
    assert (order.total, units_left(kettle.id)) == (Decimal("49.00"), 2)
    send_home(merchant, shopper, order.id)
    paid = payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert paid.amount == Decimal("49.00")


def test_a_canceled_order_puts_its_stock_back_even_for_an_archived_product(merchant, shopper):
    tea = product_create(actor=merchant, data=NewProduct(name="Tea", price="3.00", stock=4))
    order = order_place(actor=shopper, data=NewOrder(product_id=tea.id, quantity=4))
    # The merchant stops selling the tea, then the shopper cancels: the four come back all the
    # same, and the tea stays out of the catalog.
    product_archive(actor=merchant, data=ProductRef(product_id=tea.id))
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert units_left(tea.id) == 4
    assert product_list(actor=shopper, params=ProductQuery()).results == []


def test_a_shopper_cancels_a_paid_order_and_gets_the_money_back(
    merchant, shopper, gateway, django_capture_on_commit_callbacks
):
    lamp = product_create(actor=merchant, data=NewProduct(name="Lamp", price="30.00", stock=2))
    order = order_place(actor=shopper, data=NewOrder(product_id=lamp.id, quantity=2))
    send_home(merchant, shopper, order.id)
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    # The refund is asked of the bank once the cancellation is saved.
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert status_of(order.id, shopper) == "canceled"
    assert units_left(lamp.id) == 2
    assert [r.amount for r in gateway.refunds.values()] == [Decimal("60.00")]


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
    assert status_of(order.id, shopper) == "expired"
    assert units_left(grinder.id) == 1
