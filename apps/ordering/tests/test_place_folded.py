"""Placing an order by product chooses its one variant in the conditional UPDATE that takes
the stock (no SELECT first), and answers as before when it cannot: 400 variant_required for a
product of several variants, 404 for an unknown or archived one, 409 out_of_stock with its
details. Nothing is taken or ordered then."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Product, Variant
from apps.ordering.models import Order
from tests.factories import variant_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/orders/"


def _place(client, product_id, quantity=1):
    return client.post(ORDERS, {"product_id": product_id, "quantity": quantity}, format="json")


def test_a_product_of_one_variant_is_ordered_without_reading_its_variant_first(
    api, shopper, make_product
):
    product = make_product(stock=3, price="4.50")
    variant = variant_of(product)
    with CaptureQueriesContext(connection) as queries:
        response = _place(api(shopper), product.pk, 2)
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["variant_id"] == variant
    assert response.json()["lines"][0]["unit_price"] == "4.50"
    assert response.json()["total"] == "9.00"
    statements = [q["sql"].lstrip().upper() for q in queries]
    assert not any(s.startswith('SELECT "CATALOG_VARIANT"') for s in statements)
    (take,) = [s for s in statements if s.startswith('UPDATE "CATALOG_VARIANT"')]
    assert "STOCK >=" in take
    assert Variant.objects.get(pk=variant).stock == 1
    assert Product.objects.get(pk=product.pk).stock == 1


def test_a_product_of_several_variants_is_a_400_and_nothing_is_taken(api, shopper, make_product):
    product = make_product(stock=5)
    Variant.objects.create(product=product, sku="OTHER", stock=5, price=Decimal("1.00"))
    response = _place(api(shopper), product.pk)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "variant_required"
    assert set(Variant.objects.filter(product=product).values_list("stock", flat=True)) == {5}
    assert not Order.objects.exists()


def test_a_product_whose_other_variants_are_archived_is_sold_by_its_one_active_variant(
    api, shopper, make_product
):
    product = make_product(stock=5)
    Variant.objects.create(product=product, sku="GONE", stock=5, is_active=False)
    response = _place(api(shopper), product.pk)
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["variant_id"] == variant_of_active(product)


def variant_of_active(product):
    return Variant.objects.get(product=product, is_active=True).pk


@pytest.mark.parametrize("archived", ["product", "variant", "unknown"])
def test_an_archived_or_unknown_product_is_a_404(api, shopper, make_product, archived):
    product = make_product(stock=5)
    if archived == "product":
        Product.objects.filter(pk=product.pk).update(is_active=False)
    elif archived == "variant":
        Variant.objects.filter(product=product).update(is_active=False)
    response = _place(api(shopper), product.pk + (1000 if archived == "unknown" else 0))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_not_found"
    assert not Order.objects.exists()


def test_not_enough_stock_is_a_409_with_what_is_left(api, shopper, make_product):
    product = make_product(stock=2)
    response = _place(api(shopper), product.pk, 3)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_stock"
    assert error["details"] == {
        "product_id": product.pk,
        "variant_id": variant_of(product),
        "requested": 3,
        "available": 2,
    }
    assert Variant.objects.get(product=product).stock == 2
    assert not Order.objects.exists()
