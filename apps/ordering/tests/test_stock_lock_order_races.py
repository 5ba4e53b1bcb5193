"""Concurrency on PostgreSQL: catalog.stock takes a basket's variants in one multi-row UPDATE,
and still locks them by variant id (then products by id). Baskets holding the same variants,
added in opposite orders, confirm at once: no deadlock, no unit sold twice."""

import pytest
from django.db import transaction

from apps.catalog.interface import give_stock_back, take_stock
from apps.catalog.models import Product, Variant
from apps.ordering.dto import BasketItem
from apps.ordering.errors import BasketLinesUnavailable
from apps.ordering.models import Order
from apps.ordering.services import basket_add_item, order_confirm
from tests.factories import variant_of
from tests.races import run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRODUCTS = 8
SHOPPERS = 12
STOCK = 11  # 2 units a basket: 5 baskets are served, 1 unit of each variant is left


def test_baskets_of_the_same_variants_in_opposite_orders_confirm_without_deadlock(
    make_user, make_product
):
    products = [make_product(stock=STOCK) for _ in range(PRODUCTS)]
    variants = [variant_of(product) for product in products]
    shoppers = [make_user() for _ in range(SHOPPERS)]
    for number, shopper in enumerate(shoppers):
        for variant in variants if number % 2 else reversed(variants):
            basket_add_item(actor=shopper, data=BasketItem(variant_id=variant, quantity=2))

    def confirm(shopper):
        try:
            return order_confirm(actor=shopper).id
        except BasketLinesUnavailable as error:  # anything else (a deadlock) fails the test
            return {line["reason"] for line in error.details["lines"]}

    results = run_all([lambda s=s: confirm(s) for s in shoppers])

    refused = [result for result in results if isinstance(result, set)]
    served = [result for result in results if not isinstance(result, set)]
    assert refused == [{"out_of_stock"}] * (SHOPPERS - 5)
    assert len(set(served)) == 5 == Order.objects.count()
    assert set(Variant.objects.filter(pk__in=variants).values_list("stock", flat=True)) == {1}
    assert set(
        Product.objects.filter(pk__in=[p.pk for p in products]).values_list("stock", flat=True)
    ) == {1}


def test_takings_and_givings_back_of_the_same_variants_in_opposite_orders_never_deadlock(
    make_product,
):
    """Straight through the interface, with the wanted variants named in opposite orders (a
    dict keeps its order): every taking and giving back commits, and the stock is where it
    started."""
    products = [make_product(stock=100) for _ in range(PRODUCTS)]
    variants = [variant_of(product) for product in products]
    forward = dict.fromkeys(variants, 1)
    backward = dict.fromkeys(reversed(variants), 1)

    def churn(wanted):
        for _ in range(10):
            with transaction.atomic():
                taking = take_stock(wanted)
                assert not taking.failed
            with transaction.atomic():
                give_stock_back(wanted)
        return "done"

    results = run_all([lambda w=w: churn(w) for w in [forward, backward] * 4])

    assert results == ["done"] * 8
    assert set(Variant.objects.filter(pk__in=variants).values_list("stock", flat=True)) == {100}
    assert set(
        Product.objects.filter(pk__in=[p.pk for p in products]).values_list("stock", flat=True)
    ) == {100}
