"""Ordering services, called directly: placing orders and the order workflow."""

from decimal import Decimal

import pytest

from apps.catalog.dto import ProductChanges
from apps.catalog.interface import OutOfStock, ProductNotFound, products_by_ids
from apps.ordering.dto import BasketItem, NewOrder, OrderLineCount, OrderOut, OrderRef
from apps.ordering.errors import IllegalTransition, LineNotInOrder, OrderNotEditable, OrderNotFound
from apps.ordering.models import Order, OrderLine
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    basket_add_item,
    order_cancel,
    order_change_quantity,
    order_confirm,
    order_deliver,
    order_place,
    order_ship,
)
from servicelayer.dto import validate_input
from servicelayer.errors import Forbidden, InvalidInput, NotAuthenticated
from servicelayer.registry import spec_of


def stock_of(product):
    return products_by_ids([product.pk])[product.pk].stock


def test_placing_an_order_takes_stock_and_captures_the_price(shopper, make_product):
    product = make_product("Mug", price="12.50", stock=5)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
    assert order.status == "awaiting_payment"
    assert order.total == Decimal("25.00")
    assert order.customer == "alice"
    [line] = order.lines
    assert (line.product_name, line.quantity, line.unit_price) == ("Mug", 2, Decimal("12.50"))
    assert stock_of(product) == 3


def test_not_enough_stock_orders_nothing(shopper, make_product):
    product = make_product(stock=1)
    with pytest.raises(OutOfStock):
        order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
    assert not Order.objects.exists()
    assert stock_of(product) == 1


@pytest.mark.parametrize("archived", [True, False])
def test_an_unknown_or_archived_product_is_not_found(shopper, make_product, archived):
    product_id = make_product(is_active=False).pk if archived else 99999
    with pytest.raises(ProductNotFound):
        order_place(actor=shopper, data=NewOrder(product_id=product_id, quantity=1))


@pytest.mark.parametrize("quantity", [0, -1, 1001, 10**18, "many", None])
def test_quantity_is_bounded(shopper, make_product, quantity):
    product = make_product(stock=5000)
    with pytest.raises(InvalidInput) as caught:
        validate_input(NewOrder, {"product_id": product.pk, "quantity": quantity})
    assert "quantity" in caught.value.fields


def test_an_anonymous_caller_cannot_order(make_product):
    with pytest.raises(NotAuthenticated):
        spec_of(order_place).call(actor=None, data={"product_id": make_product().pk, "quantity": 1})


def test_a_later_price_change_does_not_touch_placed_orders(shopper, merchant, make_product):
    from apps.catalog.services import product_update

    product = make_product(price="10.00")
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))
    product_update(actor=merchant, data=ProductChanges(product_id=product.pk, price="99.00"))
    changed = order_change_quantity(
        actor=shopper, data=OrderLineCount(order_id=order.id, quantity=3)
    )
    assert changed.lines[0].unit_price == Decimal("10.00")
    assert changed.total == Decimal("30.00")


def test_changing_the_quantity_takes_or_gives_back_stock(shopper, make_product):
    product = make_product(stock=10)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
    order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=7))
    assert stock_of(product) == 3
    order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=1))
    assert stock_of(product) == 9
    with pytest.raises(OutOfStock):
        order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=11))
    assert stock_of(product) == 9
    assert OrderLine.objects.get().quantity == 1


def test_the_line_must_be_named_right(shopper, make_product):
    product = make_product()
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))
    with pytest.raises(LineNotInOrder):
        order_change_quantity(
            actor=shopper,
            data=OrderLineCount(order_id=order.id, quantity=2, product_id=product.pk + 1),
        )


def test_cancel_gives_the_stock_back_once(shopper, make_product):
    product = make_product(stock=4)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=3))
    assert order_cancel(actor=shopper, data=OrderRef(order_id=order.id)).status == "canceled"
    assert stock_of(product) == 4
    with pytest.raises(IllegalTransition):
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert stock_of(product) == 4
    with pytest.raises(OrderNotEditable):
        order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=2))


def test_the_workflow_awaiting_payment_paid_shipped_delivered(shopper, merchant, make_product, pay):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    for too_early in (order_ship, order_deliver):
        with pytest.raises(IllegalTransition):
            too_early(actor=merchant, data=OrderRef(order_id=order.id))
    pay(shopper, order.id)
    assert order_get(actor=shopper, order_id=order.id)["status"] == "paid"
    assert order_ship(actor=merchant, data=OrderRef(order_id=order.id)).status == "shipped"
    for illegal in (order_ship, order_cancel):
        with pytest.raises(IllegalTransition) as caught:
            illegal(actor=merchant, data=OrderRef(order_id=order.id))
        assert caught.value.details["from"] == "shipped"
    assert order_deliver(actor=merchant, data=OrderRef(order_id=order.id)).status == "delivered"


def test_only_merchants_ship(shopper, make_product):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    with pytest.raises(Forbidden):
        order_ship(actor=shopper, data=OrderRef(order_id=order.id))


def test_another_shoppers_order_is_not_found(shopper, other_shopper, merchant, make_product):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    for attempt in (
        lambda: order_cancel(actor=other_shopper, data=OrderRef(order_id=order.id)),
        lambda: order_change_quantity(
            actor=other_shopper, data=OrderLineCount(order_id=order.id, quantity=2)
        ),
    ):
        with pytest.raises(OrderNotFound):
            attempt()
    # a merchant may cancel any order
    assert order_cancel(actor=merchant, data=OrderRef(order_id=order.id)).status == "canceled"


def test_every_service_answers_the_order_as_it_is_read_back(shopper, merchant, make_product, pay):
    def as_read_back(answer):  # built in memory after the write: the same as reading it
        assert answer == OrderOut.model_validate(order_get(actor=merchant, order_id=answer.id))
        assert answer.customer == "alice"
        return answer

    mug, kettle = make_product("Mug", stock=9), make_product("Kettle", price="30.00", stock=9)
    for product in (kettle, mug):
        basket_add_item(actor=shopper, data=BasketItem(product_id=product.pk, quantity=2))
    order = as_read_back(order_confirm(actor=shopper))
    assert [line.product_name for line in order.lines] == ["Mug", "Kettle"]
    placed = as_read_back(order_place(actor=shopper, data=NewOrder(product_id=mug.pk, quantity=1)))
    as_read_back(
        order_change_quantity(
            actor=shopper, data=OrderLineCount(order_id=order.id, product_id=mug.pk, quantity=3)
        )
    )
    as_read_back(order_cancel(actor=shopper, data=OrderRef(order_id=placed.id)))
    pay(shopper, order.id)
    as_read_back(order_ship(actor=merchant, data=OrderRef(order_id=order.id)))
    assert as_read_back(order_deliver(actor=merchant, data=OrderRef(order_id=order.id))).status == (
        "delivered"
    )
