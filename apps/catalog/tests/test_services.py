"""Catalog services, called directly: what merchants do to products."""

from decimal import Decimal

import pytest

from apps.catalog.dto import NewProduct, ProductChanges, ProductRef, StockChange
from apps.catalog.errors import InsufficientStock, ProductNotFound
from apps.catalog.models import Product
from apps.catalog.services import (
    product_archive,
    product_create,
    product_restore,
    product_stock_change,
    product_update,
)
from servicelayer.errors import Forbidden, InvalidInput, NotAuthenticated


def test_a_merchant_creates_a_product(merchant):
    product = product_create(
        actor=merchant, data=NewProduct(name="Mug", price="12.50", stock=3, description="Blue")
    )
    assert product.price == Decimal("12.50")
    assert Product.objects.get(pk=product.id).stock == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "-1.00"),
        ("price", "1.001"),
        ("price", "123456789.00"),
        ("price", "NaN"),
        ("stock", -1),
        ("stock", 10**12),
        ("name", ""),
        ("name", "x" * 201),
    ],
)
def test_bad_product_input_is_refused_and_nothing_is_saved(merchant, field, value):
    data = {"name": "Mug", "price": "12.50", "stock": 3} | {field: value}
    with pytest.raises(InvalidInput) as caught:
        product_create.spec.call(actor=merchant, data=data)
    assert field in caught.value.fields
    assert not Product.objects.exists()


def test_a_shopper_cannot_create_products(shopper):
    with pytest.raises(Forbidden):
        product_create(actor=shopper, data=NewProduct(name="Mug", price="1.00"))
    with pytest.raises(NotAuthenticated):  # only a delivery has a caller who is not signed in
        product_create.spec.call(actor=None, data=NewProduct(name="Mug", price="1.00"))


def test_prices_come_back_to_the_cent_as_they_are_stored(merchant):
    product = product_create(actor=merchant, data=NewProduct(name="Mug", price="12.5"))
    assert str(product.price) == "12.50"
    assert str(Product.objects.get(pk=product.id).price) == "12.50"
    updated = product_update(actor=merchant, data=ProductChanges(product_id=product.id, price=3))
    assert str(updated.price) == "3.00"


def test_archiving_reads_the_product_once(merchant, make_product, django_assert_num_queries):
    product = make_product()
    # the update, then the product as it now is; in a test the service's own transaction is a
    # savepoint in the test's, SAVEPOINT and RELEASE (in production, BEGIN and COMMIT)
    with django_assert_num_queries(4):
        product_archive(actor=merchant, data=ProductRef(product_id=product.pk))


def test_a_partial_update_changes_only_the_given_fields(merchant, make_product):
    product = make_product("Mug", price="5.00", description="old")
    updated = product_update(
        actor=merchant, data=ProductChanges(product_id=product.pk, price="6.00")
    )
    assert (updated.name, updated.price, updated.description) == ("Mug", Decimal("6.00"), "old")


def test_an_update_must_change_something_and_cannot_null_a_name(merchant, make_product):
    product = make_product()
    with pytest.raises(InvalidInput):
        product_update.spec.call(actor=merchant, data={"product_id": product.pk})
    for field in ("name", "description", "price"):
        with pytest.raises(InvalidInput):
            product_update.spec.call(actor=merchant, data={"product_id": product.pk, field: None})


def test_updating_an_unknown_product_is_not_found(merchant):
    with pytest.raises(ProductNotFound):
        product_update(actor=merchant, data=ProductChanges(product_id=999, name="x"))


def test_restock_write_off_and_correction(merchant, make_product):
    product = make_product(stock=5)
    assert (
        product_stock_change(actor=merchant, data=StockChange(product_id=product.pk, delta=7)).stock
        == 12
    )
    assert (
        product_stock_change(
            actor=merchant, data=StockChange(product_id=product.pk, delta=-2)
        ).stock
        == 10
    )
    assert (
        product_stock_change(
            actor=merchant, data=StockChange(product_id=product.pk, set_to=3)
        ).stock
        == 3
    )


def test_a_write_off_cannot_take_stock_below_zero(merchant, make_product):
    product = make_product(stock=2)
    with pytest.raises(InsufficientStock):
        product_stock_change(actor=merchant, data=StockChange(product_id=product.pk, delta=-3))
    product.refresh_from_db()
    assert product.stock == 2


@pytest.mark.parametrize("data", [{}, {"delta": 1, "set_to": 1}, {"set_to": -1}])
def test_a_stock_change_needs_exactly_one_valid_instruction(merchant, make_product, data):
    product = make_product()
    with pytest.raises(InvalidInput):
        product_stock_change.spec.call(actor=merchant, data={"product_id": product.pk, **data})


def test_a_stock_change_of_an_unknown_product_is_not_found(merchant):
    with pytest.raises(ProductNotFound):
        product_stock_change(actor=merchant, data=StockChange(product_id=12345, delta=-1))
    with pytest.raises(ProductNotFound):
        product_stock_change(actor=merchant, data=StockChange(product_id=12345, set_to=1))


def test_archive_and_restore(merchant, make_product):
    product = make_product()
    assert (
        product_archive(actor=merchant, data=ProductRef(product_id=product.pk)).is_active is False
    )
    assert product_restore(actor=merchant, data=ProductRef(product_id=product.pk)).is_active is True
    with pytest.raises(ProductNotFound):
        product_archive(actor=merchant, data=ProductRef(product_id=999))


def test_a_product_says_whether_it_ships(merchant):
    from apps.catalog.dto import NewProduct, ProductChanges
    from apps.catalog.interface import products_by_ids, take_stock
    from apps.catalog.services import product_create, product_update

    guide = product_create(
        actor=merchant, data=NewProduct(name="Guide", price="9.00", stock=5, ships=False)
    )
    assert guide.ships is False
    assert products_by_ids([guide.id])[guide.id].ships is False
    assert take_stock({guide.variants[0].id: 1}).taken[guide.variants[0].id].ships is False
    changed = product_update(actor=merchant, data=ProductChanges(product_id=guide.id, ships=True))
    assert changed.ships is True
    assert product_create(actor=merchant, data=NewProduct(name="Mug", price="5.00")).ships
