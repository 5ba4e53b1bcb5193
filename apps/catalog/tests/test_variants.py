"""Variants: what merchants do to them, and how their stock makes the product's."""

from decimal import Decimal

import pytest

from apps.catalog.dto import (
    NewAttribute,
    NewProduct,
    NewVariant,
    StockChange,
    VariantChanges,
    VariantRef,
    VariantStockChange,
)
from apps.catalog.errors import (
    AttributeNotFound,
    InsufficientStock,
    LastActiveVariant,
    SkuTaken,
    VariantNotFound,
    VariantRequired,
)
from apps.catalog.models import Product, Variant
from apps.catalog.selectors import product_get
from apps.catalog.services import (
    attribute_create,
    product_create,
    product_stock_change,
    variant_archive,
    variant_create,
    variant_stock_change,
    variant_update,
)
from servicelayer.errors import Forbidden


@pytest.fixture
def shirt(merchant):
    attribute_create(actor=merchant, data=NewAttribute(code="size", name="Size"))
    return product_create(
        actor=merchant, data=NewProduct(name="Shirt", price="20.00", stock=4, sku="SHIRT-M")
    )


def add(merchant, product_id, sku, **extra):
    return variant_create(actor=merchant, data=NewVariant(product_id=product_id, sku=sku, **extra))


def stock_of(product_id):
    return Product.objects.get(pk=product_id).stock


def test_a_product_is_created_with_one_variant_holding_its_stock(merchant, shirt):
    (variant,) = shirt.variants
    assert (variant.sku, variant.stock, variant.price, variant.own_price) == (
        "SHIRT-M",
        4,
        Decimal("20.00"),
        None,
    )
    other = product_create(actor=merchant, data=NewProduct(name="Cap", price="5.00"))
    assert other.variants[0].sku == f"P{other.id}"


def test_the_default_sku_steps_aside_for_one_taken(merchant):
    add_to = product_create(actor=merchant, data=NewProduct(name="Cap", price="5.00"))
    add(merchant, add_to.id, f"P{add_to.id + 1}")  # the next product's default
    nxt = product_create(actor=merchant, data=NewProduct(name="Hat", price="5.00"))
    assert nxt.variants[0].sku == f"P{nxt.id}-2"


def test_a_variant_has_its_own_values_price_and_stock(merchant, shirt):
    large = add(merchant, shirt.id, "SHIRT-L", attributes={"size": "l"}, price="22.50", stock=3)
    assert (large.price, large.own_price, large.stock, large.attributes) == (
        Decimal("22.50"),
        Decimal("22.50"),
        3,
        {"size": "l"},
    )
    assert stock_of(shirt.id) == 7  # the sum over its active variants
    shown = product_get(actor=None, product_id=shirt.id)
    assert [v["sku"] for v in shown["variants"]] == ["SHIRT-M", "SHIRT-L"]
    assert "l" in Product.objects.get(pk=shirt.id).search_attributes.split()


def test_skus_are_unique_and_attributes_known(merchant, shirt):
    with pytest.raises(SkuTaken):
        add(merchant, shirt.id, "SHIRT-M")
    with pytest.raises(AttributeNotFound):
        add(merchant, shirt.id, "SHIRT-X", attributes={"colour": "red"})
    with pytest.raises(SkuTaken):
        product_create(actor=merchant, data=NewProduct(name="X", price="1.00", sku="SHIRT-M"))


def test_updating_a_variant(merchant, shirt):
    large = add(merchant, shirt.id, "SHIRT-L", price="25.00")
    changed = variant_update(
        actor=merchant,
        data=VariantChanges(product_id=shirt.id, variant_id=large.id, sku="SHIRT-XL", price=None),
    )
    assert (changed.sku, changed.price, changed.own_price) == ("SHIRT-XL", Decimal("20.00"), None)
    with pytest.raises(SkuTaken):
        variant_update(
            actor=merchant,
            data=VariantChanges(product_id=shirt.id, variant_id=large.id, sku="SHIRT-M"),
        )
    other = product_create(actor=merchant, data=NewProduct(name="Cap", price="5.00"))
    with pytest.raises(VariantNotFound):  # not a variant of that product
        variant_update(
            actor=merchant,
            data=VariantChanges(product_id=other.id, variant_id=large.id, sku="Z"),
        )


def test_archiving_a_variant_takes_its_stock_out_of_the_products(merchant, shirt):
    large = add(merchant, shirt.id, "SHIRT-L", stock=3)
    archived = variant_archive(
        actor=merchant, data=VariantRef(product_id=shirt.id, variant_id=large.id)
    )
    assert (archived.is_active, archived.stock) == (False, 3)
    assert stock_of(shirt.id) == 4
    assert [v["sku"] for v in product_get(actor=None, product_id=shirt.id)["variants"]] == [
        "SHIRT-M"
    ]
    assert len(product_get(actor=merchant, product_id=shirt.id)["variants"]) == 2
    # the last active one stays
    with pytest.raises(LastActiveVariant):
        variant_archive(
            actor=merchant, data=VariantRef(product_id=shirt.id, variant_id=shirt.variants[0].id)
        )


def test_stock_per_variant(merchant, shirt):
    large = add(merchant, shirt.id, "SHIRT-L", stock=3)
    ref = {"product_id": shirt.id, "variant_id": large.id}
    assert variant_stock_change(actor=merchant, data=VariantStockChange(**ref, delta=5)).stock == 8
    assert stock_of(shirt.id) == 12
    assert variant_stock_change(actor=merchant, data=VariantStockChange(**ref, set_to=1)).stock == 1
    assert stock_of(shirt.id) == 5
    with pytest.raises(InsufficientStock):
        variant_stock_change(actor=merchant, data=VariantStockChange(**ref, delta=-2))
    assert Variant.objects.get(pk=shirt.variants[0].id).stock == 4  # the other one untouched


def test_the_product_stock_endpoint_needs_a_single_variant(merchant, shirt):
    assert (
        product_stock_change(actor=merchant, data=StockChange(product_id=shirt.id, delta=1)).stock
        == 5
    )
    add(merchant, shirt.id, "SHIRT-L", stock=3)
    with pytest.raises(VariantRequired):
        product_stock_change(actor=merchant, data=StockChange(product_id=shirt.id, delta=1))


def test_variants_are_for_merchants(shopper, shirt):
    with pytest.raises(Forbidden):
        variant_create(actor=shopper, data=NewVariant(product_id=shirt.id, sku="NOPE"))


def test_variants_over_rest(api, merchant, shopper, shirt):
    client = api(merchant)
    base = f"/api/products/{shirt.id}/variants/"
    created = client.post(base, {"sku": "SHIRT-L", "stock": 2, "price": "23.00"}, format="json")
    assert created.status_code == 201, created.json()
    large = created.json()["id"]
    assert created.json()["price"] == "23.00"
    stock = client.post(f"{base}{large}/stock/", {"delta": 3}, format="json")
    assert (stock.status_code, stock.json()["stock"]) == (200, 5)
    refused = client.post(f"/api/products/{shirt.id}/stock/", {"delta": 1}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "variant_required")
    taken = client.post(base, {"sku": "SHIRT-L"}, format="json")
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "sku_taken")
    assert client.patch(f"{base}{large}/", {"price": None}, format="json").json()["price"] == (
        "20.00"
    )
    assert client.post(f"{base}{large}/archive/").json()["is_active"] is False
    last = client.post(f"{base}{shirt.variants[0].id}/archive/")
    assert (last.status_code, last.json()["error"]["code"]) == (409, "last_active_variant")
    assert api(shopper).post(base, {"sku": "NOPE"}, format="json").status_code == 403
    shown = api(None).get(f"/api/products/{shirt.id}/").json()
    assert [v["sku"] for v in shown["variants"]] == ["SHIRT-M"]
    assert shown["stock"] == 4
