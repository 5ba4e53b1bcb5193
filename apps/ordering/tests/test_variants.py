"""Baskets and orders name a variant: lines per variant, at the variant's price, with its SKU
and values recorded on the order; stock is taken from the variant ordered."""

from decimal import Decimal

import pytest

from apps.catalog.interface import VariantNotFound, VariantRequired
from apps.catalog.models import Product, Variant
from apps.ordering.dto import (
    BasketItem,
    BasketItemCount,
    BasketItemRef,
    NewOrder,
    OrderLineCount,
    OrderRef,
)
from apps.ordering.errors import ItemNotInBasket
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    basket_add_item,
    basket_change_quantity,
    basket_remove_item,
    order_cancel,
    order_change_quantity,
    order_confirm,
    order_place,
)
from tests.factories import variant_of

BASKET, ITEMS = "/api/basket/", "/api/basket/items/"


@pytest.fixture
def shirt(make_product):
    """A shirt in M (the product's price, 5 in stock) and L (dearer, 3 in stock)."""
    product = make_product("Shirt", price="20.00", stock=5)
    Variant.objects.filter(product=product).update(attributes={"size": "m"})
    large = Variant.objects.create(
        product=product, sku="SHIRT-L", attributes={"size": "l"}, price="24.00", stock=3
    )
    Product.objects.filter(pk=product.pk).update(stock=8)
    return product, variant_of_size(product, "m"), large.pk


def variant_of_size(product, size):
    return Variant.objects.get(product=product, attributes__size=size).pk


def stock_of(variant_id):
    return Variant.objects.get(pk=variant_id).stock


def test_a_product_of_several_variants_needs_one_named(shopper, shirt):
    product, _, _ = shirt
    with pytest.raises(VariantRequired) as caught:
        basket_add_item(actor=shopper, data=BasketItem(product_id=product.pk, quantity=1))
    assert caught.value.code == "variant_required"
    with pytest.raises(VariantRequired):
        order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))


def test_a_variant_of_another_product_is_not_found(shopper, shirt, make_product):
    _, medium, _ = shirt
    other = make_product()
    with pytest.raises(VariantNotFound):
        basket_add_item(
            actor=shopper, data=BasketItem(product_id=other.pk, variant_id=medium, quantity=1)
        )
    with pytest.raises(VariantNotFound):
        order_place(
            actor=shopper, data=NewOrder(product_id=other.pk, variant_id=medium, quantity=1)
        )
    assert stock_of(medium) == 5  # the taking was rolled back


def test_the_basket_holds_a_line_per_variant(shopper, shirt):
    product, medium, large = shirt
    basket_add_item(actor=shopper, data=BasketItem(variant_id=medium, quantity=1))
    basket = basket_add_item(actor=shopper, data=BasketItem(variant_id=large, quantity=2))
    assert [
        (line.sku, line.attributes, line.unit_price, line.quantity) for line in basket.lines
    ] == [
        (f"P{product.pk}", {"size": "m"}, Decimal("20.00"), 1),
        ("SHIRT-L", {"size": "l"}, Decimal("24.00"), 2),
    ]
    assert basket.total == Decimal("68.00")
    # the product alone names no line when the basket holds two of its variants
    with pytest.raises(VariantRequired):
        basket_change_quantity(
            actor=shopper, data=BasketItemCount(product_id=product.pk, quantity=3)
        )
    basket = basket_change_quantity(
        actor=shopper, data=BasketItemCount(product_id=product.pk, variant_id=large, quantity=3)
    )
    assert [line.quantity for line in basket.lines] == [1, 3]
    basket = basket_remove_item(
        actor=shopper, data=BasketItemRef(product_id=product.pk, variant_id=medium)
    )
    assert [line.variant_id for line in basket.lines] == [large]
    with pytest.raises(ItemNotInBasket):
        basket_remove_item(
            actor=shopper, data=BasketItemRef(product_id=product.pk, variant_id=medium)
        )


def test_an_order_records_the_variant_and_takes_its_stock_only(shopper, shirt):
    product, medium, large = shirt
    basket_add_item(actor=shopper, data=BasketItem(variant_id=large, quantity=2))
    order = order_confirm(actor=shopper)
    [line] = order.lines
    assert (line.product_id, line.variant_id, line.sku, line.attributes, line.unit_price) == (
        product.pk,
        large,
        "SHIRT-L",
        {"size": "l"},
        Decimal("24.00"),
    )
    assert (stock_of(large), stock_of(medium)) == (1, 5)
    assert Product.objects.get(pk=product.pk).stock == 6
    # what was ordered stays as ordered when the variant changes
    Variant.objects.filter(pk=large).update(sku="RENAMED", attributes={"size": "xl"}, price="99")
    shown = order_get(actor=shopper, order_id=order.id)["lines"][0]
    assert (shown["sku"], shown["attributes"], shown["unit_price"]) == (
        "SHIRT-L",
        {"size": "l"},
        Decimal("24.00"),
    )
    # a change of quantity and a cancellation move that variant's stock
    order_change_quantity(
        actor=shopper, data=OrderLineCount(order_id=order.id, variant_id=large, quantity=1)
    )
    assert stock_of(large) == 2
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert (stock_of(large), stock_of(medium)) == (3, 5)
    assert Product.objects.get(pk=product.pk).stock == 8


def test_the_basket_of_several_variants_costs_the_same_queries_for_1_or_12_lines(
    api, shopper, make_product, django_assert_num_queries
):
    client = api(shopper)
    for count in (1, 12):
        while len(client.get(BASKET).json()["lines"]) < count:
            product = make_product(stock=5)
            first = variant_of(product)
            extra = Variant.objects.create(product=product, sku=f"X{product.pk}", stock=5)
            for variant_id in (first, extra.pk):
                client.post(ITEMS, {"variant_id": variant_id, "quantity": 1}, format="json")
        lines = len(client.get(BASKET).json()["lines"])
        # token, basket lines, their variants with their products
        with django_assert_num_queries(3):
            assert len(client.get(BASKET).json()["lines"]) == lines
