"""A merchant merchandises a product (a category, attributes, two variants, an image); a
shopper finds it by a word of its description, and by a misspelled name on PostgreSQL, and
orders one variant: the other's stock is untouched. The services, no HTTP."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apps.catalog.dto import (
    NewAttribute,
    NewCategory,
    NewProduct,
    NewProductImage,
    NewVariant,
    ProductQuery,
    VariantChanges,
)
from apps.catalog.interface import VariantRequired
from apps.catalog.selectors import product_get, product_list
from apps.catalog.services import (
    attribute_create,
    category_create,
    product_create,
    product_image_add,
    variant_create,
    variant_update,
)
from apps.catalog.tests.conftest import image_bytes
from apps.ordering.dto import NewOrder
from apps.ordering.services import order_place
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay
from tests.acceptance.checkout_steps import send_home
from tests.acceptance.what_they_see import status_of, units_left, variant_units_left


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass(frozen=True)
class Lantern:
    id: int
    small: int  # its variants' ids
    large: int


def merchandise(merchant: Any) -> Lantern:
    """Lighting > Lanterns; a brass storm lantern in it, with its colour and a photo, small
    (5 in stock, the product's price) and large (3 in stock, dearer)."""
    lighting = category_create(actor=merchant, data=NewCategory(name="Lighting", slug="lighting"))
    lanterns = category_create(
        actor=merchant, data=NewCategory(name="Lanterns", slug="lanterns", parent_id=lighting.id)
    )
    attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    attribute_create(actor=merchant, data=NewAttribute(code="size", name="Size"))
    lantern = product_create(
        actor=merchant,
        data=NewProduct(
            name="Storm lantern",
            description="Keeps its flame on windy evenings.",
            price="24.00",
            stock=5,
            category_id=lanterns.id,
            attributes={"colour": "brass"},
            sku="LANTERN-S",
        ),
    )
    small = lantern.variants[0].id
    variant_update(
        actor=merchant,
        data=VariantChanges(product_id=lantern.id, variant_id=small, attributes={"size": "small"}),
    )
    large = variant_create(
        actor=merchant,
        data=NewVariant(
            product_id=lantern.id,
            sku="LANTERN-L",
            attributes={"size": "large"},
            price="32.00",
            stock=3,
        ),
    )
    product_create(actor=merchant, data=NewProduct(name="Candle", price="3.00", stock=50))
    photo = image_bytes("JPEG", (800, 600), exif=True)
    product_image_add(
        actor=merchant, data=NewProductImage(product_id=lantern.id, image=photo, alt="Lit")
    )
    return Lantern(id=lantern.id, small=small, large=large.id)


def names(shopper: Any, **query: Any) -> list[str]:
    return [p["name"] for p in product_list(actor=shopper, params=ProductQuery(**query)).results]


def test_a_shopper_finds_a_merchandised_product_by_its_description_and_orders_it(merchant, shopper):
    lantern = merchandise(merchant)
    # The shopper remembers it was for windy evenings; it sits under Lighting.
    assert names(shopper, search="windy") == ["Storm lantern"]
    lighting = product_get(actor=shopper, product_id=lantern.id)["category"]
    assert lighting["name"] == "Lanterns"
    assert names(shopper, category_id=int(lighting["path"].strip("/").split("/")[0])) == [
        "Storm lantern"
    ]
    assert names(shopper, attribute="colour:brass") == ["Storm lantern"]
    assert names(shopper, search="large") == ["Storm lantern"]  # a variant's own value
    # It shows its photo (and its thumbnail), its colour, and its two sizes with their prices.
    shown = product_get(actor=shopper, product_id=lantern.id)
    assert [(i["alt"], i["width"]) for i in shown["images"]] == [("Lit", 800)]
    assert shown["images"][0]["thumbnail_url"].startswith("/media/products/thumbnails/")
    assert shown["attributes"] == [{"code": "colour", "name": "Colour", "value": "brass"}]
    assert [(v["sku"], v["attributes"], v["price"], v["stock"]) for v in shown["variants"]] == [
        ("LANTERN-S", {"size": "small"}, Decimal("24.00"), 5),
        ("LANTERN-L", {"size": "large"}, Decimal("32.00"), 3),
    ]
    assert shown["stock"] == 8
    # Naming the product alone is not enough: it comes in two sizes.
    with pytest.raises(VariantRequired):
        order_place(actor=shopper, data=NewOrder(product_id=lantern.id, quantity=1))
    # The shopper orders two large ones and pays; one large is left, the small ones untouched.
    order = order_place(actor=shopper, data=NewOrder(variant_id=lantern.large, quantity=2))
    assert order.total == Decimal("64.00")
    assert [(line.sku, line.attributes) for line in order.lines] == [
        ("LANTERN-L", {"size": "large"})
    ]
    send_home(merchant, shopper, order.id)
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert status_of(order.id, shopper) == "paid"
    assert variant_units_left(lantern.large) == 1
    assert variant_units_left(lantern.small) == 5
    assert units_left(lantern.id) == 6


@pytest.mark.postgres
def test_a_shopper_finds_it_by_a_misspelled_name_on_postgresql(merchant, shopper):
    lantern = merchandise(merchant)
    assert names(shopper, search="storm lantren") == ["Storm lantern"]
    assert names(shopper, search="lantren", facets=True) == ["Storm lantern"]
    order = order_place(
        actor=shopper,
        data=NewOrder(product_id=lantern.id, variant_id=lantern.small, quantity=1),
    )
    assert order.total == Decimal("24.00")
    assert variant_units_left(lantern.small) == 4
    assert variant_units_left(lantern.large) == 3  # the other variant is untouched
    assert units_left(lantern.id) == 7
