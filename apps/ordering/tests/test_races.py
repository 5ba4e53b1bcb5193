"""Concurrency on PostgreSQL: no variant's stock is ever oversold, whatever the interleaving."""

from collections import Counter

import pytest

from apps.catalog.interface import OutOfStock, take_stock
from apps.catalog.models import Product, Variant
from apps.ordering.dto import BasketItem, NewOrder
from apps.ordering.models import Order
from apps.ordering.services import basket_add_item, order_confirm, order_place
from conftest import client_for
from tests.factories import variant_of
from tests.races import compete_while_held, run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_40_shoppers_order_the_last_25_units_at_once(make_user, make_product):
    product = make_product(stock=25)
    users = [make_user() for _ in range(40)]
    clients = [client_for(user) for user in users]

    def order(client):
        response = client.post(
            "/api/orders/", {"product_id": product.pk, "quantity": 1}, format="json"
        )
        return response.status_code, response.json()

    results = run_all([lambda c=c: order(c) for c in clients])

    assert Counter(status for status, _ in results) == {201: 25, 409: 15}
    assert {body["error"]["code"] for status, body in results if status == 409} == {"out_of_stock"}
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 25


def test_an_order_waits_for_a_competing_uncommitted_take_and_then_sees_it(make_user, make_product):
    """Chosen interleaving: A takes the last unit and holds its transaction open; B orders in
    between. B must block on A's row lock and, once A commits, find nothing left."""
    product = make_product(stock=1)
    shopper = make_user()

    variant = variant_of(product)

    _, outcome = compete_while_held(
        lambda: take_stock({variant: 1}).taken,
        lambda: order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1)),
        waits_on=f"UPDATE {Variant._meta.db_table}",
    )

    assert isinstance(outcome, OutOfStock)
    product.refresh_from_db()
    assert product.stock == 0
    assert not Order.objects.exists()


def test_shoppers_racing_for_one_variant_leave_the_other_untouched(make_user, make_product):
    """40 shoppers at once: 30 want the last 20 units of the small size, 10 want the large one
    (of which there are 50). The small size is never oversold, the large one loses exactly
    what was ordered of it, and the product's stock is the sum of what is left."""
    product = make_product(stock=20)
    small = variant_of(product)
    large = Variant.objects.create(product=product, sku="LARGE", stock=50)
    Product.objects.filter(pk=product.pk).update(stock=70)
    clients = [client_for(make_user()) for _ in range(40)]

    def order(client, variant_id):
        response = client.post(
            "/api/orders/", {"variant_id": variant_id, "quantity": 1}, format="json"
        )
        return variant_id, response.status_code

    wanted = [small] * 30 + [large.pk] * 10
    results = run_all([lambda c=c, v=v: order(c, v) for c, v in zip(clients, wanted, strict=True)])

    assert Counter(results) == {(small, 201): 20, (small, 409): 10, (large.pk, 201): 10}
    assert Variant.objects.get(pk=small).stock == 0
    assert Variant.objects.get(pk=large.pk).stock == 40
    product.refresh_from_db()
    assert product.stock == 40
    assert Order.objects.count() == 30


def test_confirming_baskets_of_the_same_variants_in_any_order_never_deadlocks(
    make_user, make_product
):
    """Two baskets hold the same two variants, added in opposite orders, and confirm at
    once: both orders are made (locks are taken by variant id, then product id)."""
    first, second = make_product(stock=5), make_product(stock=5)
    shoppers = [make_user(), make_user()]
    for shopper, products in zip(shoppers, [(first, second), (second, first)], strict=True):
        for product in products:
            basket_add_item(
                actor=shopper, data=BasketItem(variant_id=variant_of(product), quantity=2)
            )

    results = run_all([lambda s=s: order_confirm(actor=s).id for s in shoppers])

    assert len(set(results)) == 2
    for product in (first, second):
        product.refresh_from_db()
        assert product.stock == 1
