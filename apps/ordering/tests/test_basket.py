"""Basket services and order confirmation, called directly."""

from decimal import Decimal

import pytest

from apps.catalog.interface import OutOfStock, ProductNotFound, products_by_ids
from apps.ordering.dto import BasketItem, BasketItemCount, BasketItemRef
from apps.ordering.errors import BasketEmpty, BasketLinesUnavailable, ItemNotInBasket
from apps.ordering.models import Basket, Order
from apps.ordering.selectors import basket_get
from apps.ordering.services import (
    basket_add_item,
    basket_change_quantity,
    basket_empty,
    basket_remove_item,
    order_confirm,
)
from servicelayer.errors import InvalidInput, NotAuthenticated
from servicelayer.registry import spec_of
from tests.factories import set_stock, variant_of


def stock(product):
    return products_by_ids([product.pk])[product.pk].stock


def add(user, product, quantity=1):
    return basket_add_item(actor=user, data=BasketItem(product_id=product.pk, quantity=quantity))


def test_the_basket_is_created_on_first_use_and_adding_again_grows_the_count(shopper, make_product):
    mug = make_product("Mug", price="4.50", stock=10)
    assert not Basket.objects.exists()
    add(shopper, mug, 2)
    basket = add(shopper, mug, 3)
    assert Basket.objects.count() == 1
    [line] = basket.lines
    assert (line.quantity, line.unit_price, line.line_total) == (
        5,
        Decimal("4.50"),
        Decimal("22.50"),
    )
    assert basket.total == Decimal("22.50")
    assert basket.can_confirm is True
    assert stock(mug) == 10  # only checked, not taken


def test_adding_more_than_is_in_stock_is_a_conflict(shopper, make_product):
    mug = make_product(stock=3)
    add(shopper, mug, 2)
    with pytest.raises(OutOfStock) as caught:
        add(shopper, mug, 2)
    assert caught.value.details["available"] == 3
    assert basket_get(actor=shopper)["lines"][0]["quantity"] == 2


@pytest.mark.parametrize("quantity", [0, -3, 1001])
def test_quantities_are_bounded(shopper, make_product, quantity):
    untrusted = {"product_id": make_product(stock=5000).pk, "quantity": quantity}
    with pytest.raises(InvalidInput):
        spec_of(basket_add_item).call(actor=shopper, data=untrusted)


def test_the_count_of_one_product_is_bounded_too(shopper, make_product):
    mug = make_product(stock=5000)
    add(shopper, mug, 1000)
    with pytest.raises(InvalidInput):
        add(shopper, mug, 1)


def test_an_unknown_or_archived_product_cannot_be_added(shopper, make_product):
    for product_id in (make_product(is_active=False).pk, 99999):
        with pytest.raises(ProductNotFound):
            basket_add_item(actor=shopper, data=BasketItem(product_id=product_id, quantity=1))


def test_change_remove_and_empty(shopper, make_product):
    mug, pot = make_product(stock=9), make_product(stock=9)
    add(shopper, mug)
    add(shopper, pot)
    basket = basket_change_quantity(
        actor=shopper, data=BasketItemCount(product_id=mug.pk, quantity=4)
    )
    assert {line.product_id: line.quantity for line in basket.lines} == {mug.pk: 4, pot.pk: 1}
    with pytest.raises(OutOfStock):
        basket_change_quantity(actor=shopper, data=BasketItemCount(product_id=mug.pk, quantity=10))
    basket = basket_change_quantity(
        actor=shopper, data=BasketItemCount(product_id=mug.pk, quantity=0)
    )
    assert [line.product_id for line in basket.lines] == [pot.pk]
    with pytest.raises(ItemNotInBasket):
        basket_change_quantity(actor=shopper, data=BasketItemCount(product_id=mug.pk, quantity=2))
    assert basket_remove_item(actor=shopper, data=BasketItemRef(product_id=pot.pk)).lines == []
    with pytest.raises(ItemNotInBasket):
        basket_remove_item(actor=shopper, data=BasketItemRef(product_id=pot.pk))
    add(shopper, mug)
    assert basket_empty(actor=shopper).lines == []


def test_lines_that_went_out_of_stock_or_were_archived_are_flagged(shopper, make_product):
    mug, pot, tea = make_product(stock=5), make_product(stock=5), make_product(stock=5)
    for product in (mug, pot, tea):
        add(shopper, product, 3)
    set_stock(mug, 1)
    pot.is_active = False
    pot.save()
    basket = basket_get(actor=shopper)
    problems = {line["product_id"]: line["problem"] for line in basket["lines"]}
    assert problems == {mug.pk: "out_of_stock", pot.pk: "archived", tea.pk: None}
    assert basket["can_confirm"] is False


def test_each_shopper_has_their_own_basket(shopper, other_shopper, make_product):
    add(shopper, make_product())
    assert basket_get(actor=other_shopper)["lines"] == []
    with pytest.raises(NotAuthenticated):
        spec_of(basket_add_item).call(actor=None, data={"product_id": 1, "quantity": 1})


def test_confirming_turns_the_basket_into_an_order_at_todays_prices(shopper, make_product):
    mug, pot = (
        make_product("Mug", price="4.00", stock=5),
        make_product("Pot", price="20.00", stock=2),
    )
    add(shopper, mug, 3)
    add(shopper, pot, 1)
    mug.price = Decimal("5.00")
    mug.save()
    order = order_confirm(actor=shopper)
    assert order.status == "awaiting_payment"
    assert {(line.product_name, line.quantity, line.unit_price) for line in order.lines} == {
        ("Mug", 3, Decimal("5.00")),
        ("Pot", 1, Decimal("20.00")),
    }
    assert order.total == Decimal("35.00")
    assert (stock(mug), stock(pot)) == (2, 1)
    assert basket_get(actor=shopper)["lines"] == []


def test_confirming_is_all_or_nothing_and_names_every_failing_line(shopper, make_product):
    mug, pot, tea = make_product(stock=5), make_product(stock=5), make_product(stock=5)
    add(shopper, mug, 2)
    add(shopper, pot, 4)
    add(shopper, tea, 5)
    set_stock(pot, 1)
    tea.is_active = False
    tea.save()
    with pytest.raises(BasketLinesUnavailable) as caught:
        order_confirm(actor=shopper)
    assert caught.value.code == "basket_lines_unavailable"
    assert caught.value.details["lines"] == [
        {
            "product_id": pot.pk,
            "variant_id": variant_of(pot),
            "requested": 4,
            "available": 1,
            "reason": "out_of_stock",
        },
        {"product_id": tea.pk, "variant_id": variant_of(tea), "reason": "not_available"},
    ]
    assert not Order.objects.exists()
    assert (stock(mug), stock(pot)) == (5, 1)  # the mug's units taken first were given back
    assert len(basket_get(actor=shopper)["lines"]) == 3  # the basket is kept


def test_an_empty_basket_cannot_be_confirmed(shopper):
    with pytest.raises(BasketEmpty):
        order_confirm(actor=shopper)
