"""What other apps may use: stock is taken from a variant with one conditional update, never
read-check-write; the product's sum follows in the same transaction."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.interface import (
    OutOfStock,
    ProductNotFound,
    VariantNotFound,
    VariantRequired,
    give_stock_back,
    product_ids_by_name,
    products_by_ids,
    take_stock,
    variant_to_sell,
    variants_by_ids,
)
from apps.catalog.models import Variant


def _variant(product) -> Variant:
    return Variant.objects.get(product=product)


def test_taking_stock_returns_the_variant_with_its_price(make_product):
    product = make_product("Mug", price="12.50", stock=5)
    variant = _variant(product)
    taking = take_stock({variant.pk: 2})
    taken = taking.taken[variant.pk]
    assert not taking.failed
    assert (taken.id, taken.product_id, taken.sku, taken.name, taken.price, taken.stock) == (
        variant.pk,
        product.pk,
        f"P{product.pk}",
        "Mug",
        Decimal("12.50"),
        3,
    )
    product.refresh_from_db()
    assert product.stock == 3  # the sum over its variants follows


def test_a_variant_sells_at_its_own_price_if_it_has_one(make_product):
    product = make_product(price="12.50", stock=5)
    Variant.objects.filter(product=product).update(price=Decimal("15.00"))
    variant = _variant(product)
    assert take_stock({variant.pk: 1}).taken[variant.pk].price == Decimal("15.00")
    assert variants_by_ids([variant.pk])[variant.pk].price == Decimal("15.00")


def test_taking_stock_is_one_conditional_update_then_the_products_sum(make_product):
    product = make_product(stock=5)
    variant = _variant(product)
    with CaptureQueriesContext(connection) as queries:
        take_stock({variant.pk: 1})
    statements = [q["sql"].lstrip().upper() for q in queries]
    assert len(statements) == 2
    assert statements[0].startswith('UPDATE "CATALOG_VARIANT"')
    assert "STOCK >=" in statements[0]
    assert statements[1].startswith('UPDATE "CATALOG_PRODUCT"')


def test_not_enough_stock_says_how_many_are_left(make_product):
    product = make_product(stock=2)
    variant = _variant(product)
    taking = take_stock({variant.pk: 3})
    assert not taking.taken
    (error,) = taking.failed
    assert isinstance(error, OutOfStock)
    assert error.details == {
        "product_id": product.pk,
        "variant_id": variant.pk,
        "requested": 3,
        "available": 2,
    }
    product.refresh_from_db()
    assert product.stock == 2


def test_an_archived_or_unknown_variant_is_not_found(make_product):
    archived = make_product(is_active=False, stock=5)
    for variant_id in (_variant(archived).pk, 424242):
        (error,) = take_stock({variant_id: 1}).failed
        assert isinstance(error, ProductNotFound)


def test_giving_stock_back(make_product):
    product = make_product(stock=0, is_active=False)
    give_stock_back({_variant(product).pk: 4})
    product.refresh_from_db()
    assert product.stock == 4
    assert _variant(product).stock == 4


def test_giving_back_to_an_archived_variant_leaves_the_products_sum(make_product):
    product = make_product(stock=3)
    archived = Variant.objects.create(product=product, sku="X", stock=0, is_active=False)
    give_stock_back({archived.pk: 2})
    product.refresh_from_db()
    archived.refresh_from_db()
    assert (product.stock, archived.stock) == (3, 2)


def test_the_variant_to_sell(make_product):
    product = make_product(stock=3)
    only = _variant(product)
    assert variant_to_sell(product.pk, None).id == only.pk
    assert variant_to_sell(None, only.pk).id == only.pk
    other = Variant.objects.create(product=product, sku="OTHER")
    with pytest.raises(VariantRequired):
        variant_to_sell(product.pk, None)
    assert variant_to_sell(product.pk, other.pk).id == other.pk
    with pytest.raises(VariantNotFound):
        variant_to_sell(make_product().pk, other.pk)  # not of that product
    with pytest.raises(ProductNotFound):
        variant_to_sell(424242, None)


def test_public_data_by_id_and_by_name(make_product):
    mug, pot = make_product("Mug"), make_product("Pot")
    assert set(products_by_ids([mug.pk, pot.pk, 999])) == {mug.pk, pot.pk}
    assert product_ids_by_name(["Mug", "Nope"]) == {"Mug": mug.pk}


def test_quantities_must_be_positive(make_product):
    variant = _variant(make_product())
    with pytest.raises(ValueError, match="positive"):
        take_stock({variant.pk: 0})
    with pytest.raises(ValueError, match="positive"):
        give_stock_back({variant.pk: -1})
