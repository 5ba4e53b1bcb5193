"""A merchant merchandises a product (a category, attributes, an image); a shopper finds it by
a word of its description, and by a misspelled name on PostgreSQL, and orders it. The
services, no HTTP. (Variants come with the next slice of issue 14.)"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apps.catalog.dto import NewAttribute, NewCategory, NewProduct, NewProductImage, ProductQuery
from apps.catalog.selectors import product_get, product_list
from apps.catalog.services import (
    attribute_create,
    category_create,
    product_create,
    product_image_add,
)
from apps.catalog.tests.conftest import image_bytes
from apps.ordering.dto import NewOrder
from apps.ordering.services import order_place
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay
from tests.acceptance.checkout_steps import send_home
from tests.acceptance.what_they_see import status_of, units_left


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def merchandise(merchant: Any) -> int:
    """Lighting > Lanterns; a brass storm lantern in it, with its colour and a photo."""
    lighting = category_create(actor=merchant, data=NewCategory(name="Lighting", slug="lighting"))
    lanterns = category_create(
        actor=merchant, data=NewCategory(name="Lanterns", slug="lanterns", parent_id=lighting.id)
    )
    attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    lantern = product_create(
        actor=merchant,
        data=NewProduct(
            name="Storm lantern",
            description="Keeps its flame on windy evenings.",
            price="24.00",
            stock=5,
            category_id=lanterns.id,
            attributes={"colour": "brass"},
        ),
    )
    product_create(actor=merchant, data=NewProduct(name="Candle", price="3.00", stock=50))
    photo = image_bytes("JPEG", (800, 600), exif=True)
    product_image_add(
        actor=merchant, data=NewProductImage(product_id=lantern.id, image=photo, alt="Lit")
    )
    return lantern.id


def names(shopper: Any, **query: Any) -> list[str]:
    return [p["name"] for p in product_list(actor=shopper, params=ProductQuery(**query)).results]


def test_a_shopper_finds_a_merchandised_product_by_its_description_and_orders_it(merchant, shopper):
    lantern = merchandise(merchant)
    # The shopper remembers it was for windy evenings; it sits under Lighting.
    assert names(shopper, search="windy") == ["Storm lantern"]
    lighting = product_get(actor=shopper, product_id=lantern)["category"]
    assert lighting["name"] == "Lanterns"
    assert names(shopper, category_id=int(lighting["path"].strip("/").split("/")[0])) == [
        "Storm lantern"
    ]
    assert names(shopper, attribute="colour:brass") == ["Storm lantern"]
    # It shows its photo (and its thumbnail), and its colour.
    shown = product_get(actor=shopper, product_id=lantern)
    assert [(i["alt"], i["width"]) for i in shown["images"]] == [("Lit", 800)]
    assert shown["images"][0]["thumbnail_url"].startswith("/media/products/thumbnails/")
    assert shown["attributes"] == [{"code": "colour", "name": "Colour", "value": "brass"}]
    # The shopper orders two and pays; three are left.
    order = order_place(actor=shopper, data=NewOrder(product_id=lantern, quantity=2))
    assert order.total == Decimal("48.00")
    send_home(merchant, shopper, order.id)
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    assert status_of(order.id, shopper) == "paid"
    assert units_left(lantern) == 3


@pytest.mark.postgres
def test_a_shopper_finds_it_by_a_misspelled_name_on_postgresql(merchant, shopper):
    lantern = merchandise(merchant)
    assert names(shopper, search="storm lantren") == ["Storm lantern"]
    assert names(shopper, search="lantren", facets=True) == ["Storm lantern"]
    order = order_place(actor=shopper, data=NewOrder(product_id=lantern, quantity=1))
    assert units_left(lantern) == 4
    assert order.total == Decimal("24.00")
