"""What other apps may use: taking stock is one conditional update, never read-check-write."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.interface import (
    OutOfStock,
    ProductNotFound,
    give_stock_back,
    product_ids_by_name,
    products_by_ids,
    take_stock,
)


def test_taking_stock_returns_the_product_with_its_price(make_product):
    product = make_product("Mug", price="12.50", stock=5)
    taken = take_stock(product.pk, 2)
    assert (taken.id, taken.name, taken.price, taken.stock) == (
        product.pk,
        "Mug",
        Decimal("12.50"),
        3,
    )


def test_taking_stock_is_a_single_statement(make_product):
    product = make_product(stock=5)
    with CaptureQueriesContext(connection) as queries:
        take_stock(product.pk, 1)
    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().upper().startswith("UPDATE")


def test_not_enough_stock_says_how_many_are_left(make_product):
    product = make_product(stock=2)
    with pytest.raises(OutOfStock) as caught:
        take_stock(product.pk, 3)
    assert caught.value.details == {"product_id": product.pk, "requested": 3, "available": 2}
    product.refresh_from_db()
    assert product.stock == 2


def test_an_archived_or_unknown_product_is_not_found(make_product):
    archived = make_product(is_active=False, stock=5)
    for product_id in (archived.pk, 424242):
        with pytest.raises(ProductNotFound):
            take_stock(product_id, 1)


def test_giving_stock_back(make_product):
    product = make_product(stock=0, is_active=False)
    give_stock_back(product.pk, 4)
    product.refresh_from_db()
    assert product.stock == 4


def test_public_data_by_id_and_by_name(make_product):
    mug, pot = make_product("Mug"), make_product("Pot")
    assert set(products_by_ids([mug.pk, pot.pk, 999])) == {mug.pk, pot.pk}
    assert product_ids_by_name(["Mug", "Nope"]) == {"Mug": mug.pk}


def test_quantities_must_be_positive(make_product):
    product = make_product()
    with pytest.raises(ValueError, match="positive"):
        take_stock(product.pk, 0)
    with pytest.raises(ValueError, match="positive"):
        give_stock_back(product.pk, -1)
