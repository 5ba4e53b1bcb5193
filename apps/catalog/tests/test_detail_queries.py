"""One product's detail: one statement on PostgreSQL (apps/catalog/detail_sql.py), the ORM's
four queries elsewhere, and the same detail, byte for byte, either way."""

import pytest
from django.db import connection

from apps.catalog import detail_sql
from apps.catalog.dto import (
    NewAttribute,
    NewCategory,
    NewProduct,
    NewProductImage,
    NewVariant,
    ProductAttributes,
    ProductRef,
    VariantRef,
)
from apps.catalog.selectors import orm_detail, product_detail_of
from apps.catalog.services import (
    attribute_create,
    category_create,
    product_archive,
    product_attributes_set,
    product_create,
    product_image_add,
    variant_archive,
    variant_create,
)
from apps.catalog.tests.conftest import image_bytes
from servicelayer import jsonutil


@pytest.fixture
def lantern(merchant):
    """A product with everything its detail shows: a category, two attribute values, two
    images, a variant at its own price and an archived one."""
    category = category_create(actor=merchant, data=NewCategory(name="Lamps", slug="lamps"))
    for code, name in (("size", "Size"), ("colour", "Colour")):
        attribute_create(actor=merchant, data=NewAttribute(code=code, name=name))
    product = product_create(
        actor=merchant,
        data=NewProduct(name="Lantern", price="12.50", stock=3, category_id=category.id),
    )
    product_attributes_set(
        actor=merchant,
        data=ProductAttributes(product_id=product.id, values={"size": "m", "colour": "red"}),
    )
    for alt in ("front", "back"):
        product_image_add(
            actor=merchant,
            data=NewProductImage(product_id=product.id, image=image_bytes("PNG", (8, 8)), alt=alt),
        )
    variant_create(
        actor=merchant,
        data=NewVariant(
            product_id=product.id, sku="LANTERN-L", price="14.00", attributes={"size": "l"}
        ),
    )
    gone = variant_create(actor=merchant, data=NewVariant(product_id=product.id, sku="OLD"))
    variant_archive(actor=merchant, data=VariantRef(product_id=product.id, variant_id=gone.id))
    return product


def test_a_product_page_is_one_statement_on_postgresql_four_queries_elsewhere(
    api, lantern, django_assert_num_queries
):
    statements = 1 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(statements):
        body = api(None).get(f"/api/products/{lantern.id}/").json()
    assert [v["sku"] for v in body["variants"]] == [f"P{lantern.id}", "LANTERN-L"]
    assert body["category"]["slug"] == "lamps"


@pytest.mark.postgres
def test_the_one_statement_is_taken_on_postgresql(api, lantern, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api(None).get(f"/api/products/{lantern.id}/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("active_only", "archived_variants"), [(True, False), (False, True), (False, False)]
)
def test_the_statement_gives_the_orm_detail_byte_for_byte(lantern, active_only, archived_variants):
    expected = orm_detail(lantern.id, active_only=active_only, archived_variants=archived_variants)
    got = detail_sql.detail(
        lantern.id, active_only=active_only, archived_variants=archived_variants
    )
    if got is NotImplemented:
        pytest.skip("one statement on PostgreSQL only")
    assert got == expected
    assert jsonutil.dumps(got) == jsonutil.dumps(expected)
    assert len(got["images"]) == 2
    assert len(got["attributes"]) == 2


def test_an_archived_product_is_a_merchants_only(api, merchant, lantern):
    product_archive(actor=merchant, data=ProductRef(product_id=lantern.id))
    assert api(None).get(f"/api/products/{lantern.id}/").status_code == 404
    seen = api(merchant).get(f"/api/products/{lantern.id}/").json()
    assert [v["sku"] for v in seen["variants"]] == [f"P{lantern.id}", "LANTERN-L", "OLD"]
    assert product_detail_of(lantern.id)["is_active"] is False


def test_a_product_without_category_attributes_or_images(make_product):
    product = make_product("Plain")
    got = detail_sql.detail(product.pk, active_only=True, archived_variants=False)
    expected = orm_detail(product.pk, active_only=True, archived_variants=False)
    if got is not NotImplemented:
        assert jsonutil.dumps(got) == jsonutil.dumps(expected)
    assert expected is not None
    assert (expected["category"], expected["attributes"], expected["images"]) == (None, [], [])
    assert orm_detail(987654, active_only=False, archived_variants=True) is None
    if got is not NotImplemented:
        assert detail_sql.detail(987654, active_only=False, archived_variants=True) is None
