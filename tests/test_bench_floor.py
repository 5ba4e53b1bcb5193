"""The benchmark's bare floor (bench/bare) answers what Agora answers, byte for byte: a ratio
against a floor that returns less (or other) bytes would not be a result."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.utils import timezone

from bench.bare import views

pytestmark = [
    pytest.mark.django_db,
    # the benchmark runs on PostgreSQL only, and so does its floor's raw SQL (CI runs this)
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the bench floor's SQL is PostgreSQL's: set DATABASE_URL",
    ),
]

HOST = "testserver"


def _products(make_product: Callable[..., Any], count: int) -> None:
    """Products with distinct creation times, some sharing one (the id breaks the tie), and
    an archived one that no list shows."""
    from apps.catalog.models import Product

    start = timezone.now() - timedelta(days=1)
    for i in range(count):
        product = make_product(f"Product {i}", price=f"{i % 7 + 1}.{i % 10}9", stock=i % 4)
        Product.objects.filter(pk=product.pk).update(
            created_at=start + timedelta(seconds=i // 2), description=f"Thing \u00e9 {i}"
        )
    make_product("Archived", is_active=False)


def _agora(api: Callable[[User | None], Any], path: str, user: User | None = None) -> bytes:
    response = api(user).get(path, HTTP_HOST=HOST)
    assert response.status_code == 200, response.content
    return bytes(response.content)


@pytest.mark.parametrize("size", [1, 20, 100])
def test_the_product_pages_are_the_same_bytes_first_and_deep(
    api: Callable[[User | None], Any], make_product: Callable[..., Any], size: int
) -> None:
    _products(make_product, 45)
    path = f"/api/products/?page_size={size}"
    pages = 0
    while path:
        ours = _agora(api, path)
        floor = views.product_list(RequestFactory().get(path, HTTP_HOST=HOST))
        assert floor.status_code == 200
        assert floor.content == ours
        following = orjson.loads(ours)["next"]
        path = following and following.removeprefix(f"http://{HOST}")
        pages += 1
    assert pages == -(-45 // size)  # every page was compared, the last one has no next


def test_one_product_is_the_same_bytes(
    api: Callable[[User | None], Any], make_product: Callable[..., Any]
) -> None:
    from apps.catalog.models import (
        Attribute,
        Category,
        ProductAttributeValue,
        ProductImage,
        Variant,
    )

    bare = make_product("Lamp", price="12.50", description="Bright")
    shelf = Category.objects.create(name="Lights & more", slug="lights", path="7/")
    dressed = make_product("Lantern", price="30.00", category=shelf)
    for code, name, value in [("size", "Size", "M"), ("colour", "Colour", "r\u00f6d")]:
        attribute = Attribute.objects.create(code=code, name=name)
        ProductAttributeValue.objects.create(product=dressed, attribute=attribute, value=value)
    Variant.objects.create(
        product=dressed, sku="LANTERN-XL", attributes={"size": "XL"}, price="34.50", stock=2
    )
    for position, name in [(2, "b.jpg"), (1, "a.jpg")]:
        ProductImage.objects.create(
            product=dressed,
            image=f"products/{name}",
            thumbnail=f"products/thumbnails/{name}",
            width=640,
            height=480,
            alt=f"A lantern {position}",
            position=position,
        )
    for product in (bare, dressed):
        path = f"/api/products/{product.pk}/"
        ours = _agora(api, path)
        assert views.product_get(RequestFactory().get(path), product.pk).content == ours
    assert b'"thumbnail_url":"/media/products/thumbnails/a.jpg"' in ours


def _same_but_ids_and_times(ours: bytes, floor: bytes) -> None:
    """Two orders differ in their id and times only; everything else is byte for byte."""

    def masked(body: bytes) -> bytes:
        body = re.sub(rb'"id":\d+', b'"id":0', body)
        return re.sub(rb'"(created_at|updated_at)":"[^"]+"', rb'"\1":"T"', body)

    assert masked(floor) == masked(ours)
    times = re.findall(rb'"created_at":"([^"]+)"', floor)
    assert times
    assert re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", times[0])


@pytest.mark.parametrize("ships", [True, False])
def test_an_order_is_the_same_bytes(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    shopper: User,
    ships: bool,
) -> None:
    product = make_product("Kettle", price="19.99", stock=10, ships=ships)
    body = {"product_id": product.pk, "quantity": 3}
    ours = api(shopper).post("/api/orders/", body, format="json")
    assert ours.status_code == 201, ours.content
    request = RequestFactory().post(
        "/api/orders/",
        orjson.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {shopper.test_token_key}",  # type: ignore[attr-defined]
    )
    floor = views.order_place(request)
    assert floor.status_code == 201
    _same_but_ids_and_times(bytes(ours.content), floor.content)
    product.refresh_from_db()
    assert product.stock == 4


def test_the_floor_takes_stock_safely_and_knows_its_users(
    make_product: Callable[..., Any], shopper: User
) -> None:
    product = make_product("Last one", stock=1)

    def place(token: str) -> int:
        request = RequestFactory().post(
            "/api/orders/",
            orjson.dumps({"product_id": product.pk, "quantity": 1}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        return views.order_place(request).status_code

    assert place("not-a-token") == 401
    assert place(shopper.test_token_key) == 201  # type: ignore[attr-defined]
    assert place(shopper.test_token_key) == 409  # type: ignore[attr-defined]
