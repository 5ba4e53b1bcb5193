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


@pytest.mark.urls("bench.urls")
def test_a_search_is_the_same_bytes_page_after_page(
    api: Callable[[User | None], Any], make_product: Callable[..., Any]
) -> None:
    """The search row (`?search=<word>`): the matches by text and by the name's trigrams, in
    Agora's relevance order (ties by id) and its cursors; naive DRF and Ninja answer it too."""
    from django.db import connection

    from apps.catalog import search
    from apps.catalog.models import Product

    _products(make_product, 12)  # none of them a lantern
    start = timezone.now() - timedelta(hours=1)
    for i in range(9):  # the same rank three by three: the id breaks the ties
        make_product(f"Thing {i}", description=f"A lantern worth having. {'lantern ' * (i % 3)}")
    make_product("Lantren, brass", description="Misspelled: matched by its name's trigrams")
    make_product("Lantern, archived", is_active=False)
    Product.objects.update(created_at=start)
    assert views.WORD_SIMILARITY == search.WORD_SIMILARITY
    with connection.cursor() as db:  # what bench/bare/wsgi.py does per connection
        views.trigram_setup(db)
    path = "/api/products/?search=lantern&page_size=4"
    names: list[str] = []
    while path:
        ours = _agora(api, path)
        floor = views.product_list(RequestFactory().get(path, HTTP_HOST=HOST))
        assert floor.status_code == 200
        assert floor.content == ours
        page = orjson.loads(ours)
        names += [row["name"] for row in page["results"]]
        path = page["next"] and page["next"].removeprefix(f"http://{HOST}")
    assert len(names) == 10  # three pages, every match
    assert "Lantren, brass" in names
    naive = api(None).get("/bench/naive/products/?search=lantern&page_size=20").json()
    assert naive["count"] == 9  # icontains in name or description: not the misspelled name
    ninja = api(None).get("/bench/ninja/products/?search=lantern&limit=20").json()
    assert ninja["count"] == 9


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


@pytest.mark.urls("bench.urls")
def test_the_ninja_baseline_serves_its_rows(
    api: Callable[[User | None], Any], make_product: Callable[..., Any], shopper: User
) -> None:
    """bench/ninja_baseline.py: its page, one product, and an order as safe as naive DRF's."""
    _products(make_product, 25)
    page = api(None).get("/bench/ninja/products/?limit=20").json()
    assert (page["count"], len(page["items"])) == (25, 20)
    assert set(page["items"][0]) == {
        "id",
        "name",
        "description",
        "price",
        "stock",
        "is_active",
        "created_at",
        "updated_at",
    }
    product = make_product("Last one", price="4.50", stock=1)
    assert api(None).get(f"/bench/ninja/products/{product.pk}/").json()["name"] == "Last one"
    body = {"product_id": product.pk, "quantity": 1}
    url = "/bench/ninja/orders/"
    assert api(None).post(url, body, format="json").status_code == 401
    placed = api(shopper).post(url, body, format="json")
    assert placed.status_code == 201, placed.content
    assert placed.json()["total"] == "4.50"
    assert placed.json()["lines"][0]["product_name"] == "Last one"
    assert api(shopper).post(url, body, format="json").status_code == 409
    product.refresh_from_db()
    assert product.stock == 0


def _masked(body: bytes) -> bytes:
    """A body with its ids, times and charge reference masked: what differs between two
    orders (or payments) made alike."""
    body = re.sub(rb'"(id|order_id)":\d+', rb'"\1":0', body)
    body = re.sub(rb'"gateway_reference":"ch_[0-9a-f]{24}"', b'"gateway_reference":"ch"', body)
    return re.sub(rb'"(created_at|updated_at)":"[^"]+"', rb'"\1":"T"', body)


def _bare_post(view: Callable[..., Any], path: str, user: User, body: Any, **kwargs: Any) -> Any:
    request = RequestFactory().post(
        path,
        orjson.dumps(body) if body is not None else b"",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {user.test_token_key}",  # type: ignore[attr-defined]
    )
    return view(request, **kwargs)


ITEMS = "/api/basket/items/"


def _second_variant(
    product: Any, sku: str, attributes: dict[str, str], price: str, stock: int
) -> Any:
    """A second active variant of `product` (its own SKU, values, price and stock), the
    product's stock sum moved along."""
    from apps.catalog.models import Product, Variant

    variant = Variant.objects.create(
        product=product, sku=sku, attributes=attributes, price=price, stock=stock
    )
    Product.objects.filter(pk=product.pk).update(stock=product.stock + stock)
    return variant


def test_adding_to_the_basket_is_the_same_bytes(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    """Two shoppers fill their baskets alike, one through Agora, one through the floor: a
    new line, a line grown, a second line, a variant named (its own SKU, values and price),
    a line whose stock ran short since."""
    from apps.catalog.models import Product, Variant

    ours_client, floor_user = api(make_user("ours")), make_user("floor")
    lamp = make_product("Lamp", price="12.50", stock=5)
    kettle = make_product("Kettl\u00e9", price="19.99", stock=3, ships=False)
    shirt = make_product("Shirt", price="20.00", stock=4)
    large = _second_variant(shirt, "SHIRT-L", {"size": "L", "colour": "r\u00f6d"}, "22.50", 4)
    adds: list[dict[str, int]] = [
        {"product_id": lamp.pk, "quantity": 2},
        {"product_id": lamp.pk, "quantity": 1},
        {"product_id": kettle.pk, "quantity": 3},
        {"variant_id": large.pk, "quantity": 1},
        {"product_id": shirt.pk, "variant_id": large.pk, "quantity": 1},
    ]
    for body in adds:
        ours = ours_client.post(ITEMS, body, format="json")
        assert ours.status_code == 200, ours.content
        floor = _bare_post(views.basket_add, ITEMS, floor_user, body)
        assert floor.status_code == 200
        assert floor.content == ours.content
    Variant.objects.filter(product=kettle).update(stock=1)  # its one variant's stock ran short
    Product.objects.filter(pk=kettle.pk).update(stock=1)
    body = {"product_id": lamp.pk, "quantity": 1}
    ours = ours_client.post(ITEMS, body, format="json")
    floor = _bare_post(views.basket_add, ITEMS, floor_user, body)
    assert floor.content == ours.content
    assert b'"problem":"out_of_stock"' in floor.content
    too_many = {"product_id": lamp.pk, "quantity": 2}  # 4 + 2 > 5 in stock
    assert ours_client.post(ITEMS, too_many, format="json").status_code == 409
    assert _bare_post(views.basket_add, ITEMS, floor_user, too_many).status_code == 409


@pytest.mark.parametrize("lines", [1, 3])
def test_confirming_and_paying_are_the_same_bytes(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    shopper: User,
    gateway: Any,
    lines: int,
) -> None:
    """The same shopper confirms a basket through Agora (with an Idempotency-Key) and an
    alike one through the floor, then pays each with tok_visa: the same bytes, ids, times
    and the charge's reference apart."""
    from apps.catalog.models import Product, Variant

    client = api(shopper)
    products = [
        make_product(f"Song {i}", price=f"{i + 1}.49", stock=10, ships=i == 1) for i in range(lines)
    ]
    items = [{"product_id": product.pk, "quantity": 2} for product in products]
    if lines > 1:  # and a second variant of the first product, named, at its own price
        live = _second_variant(products[0], "SONG-LIVE", {"take": "live", "mix": "b"}, "3.10", 10)
        first = Variant.objects.get(sku=f"P{products[0].pk}")  # now one of two: named
        items[0] = {"variant_id": first.pk, "quantity": 2}
        items.insert(1, {"product_id": products[0].pk, "variant_id": live.pk, "quantity": 2})

    def fill() -> None:
        for body in reversed(items):  # added in another order than the id order
            assert client.post(ITEMS, body, format="json").status_code == 200

    fill()
    ours = client.post("/api/basket/confirm/", HTTP_IDEMPOTENCY_KEY="ours")
    assert ours.status_code == 201, ours.content
    fill()
    floor = _bare_post(views.basket_confirm, "/api/basket/confirm/", shopper, None)
    assert floor.status_code == 201
    _same_but_ids_and_times(bytes(ours.content), floor.content)
    assert client.get("/api/basket/").json()["lines"] == []
    for variant in Variant.objects.filter(product__in=products):
        assert variant.stock == 6  # 10, twice 2 taken
    for product in Product.objects.filter(pk__in=[p.pk for p in products]):
        assert product.stock == 6 * product.variants.count()  # the sum moved along
    if lines > 1:  # the floor pays only what needs no address: as the bench's product
        return
    ours_order, floor_order = ours.json()["id"], orjson.loads(floor.content)["id"]
    path = f"/api/orders/{ours_order}/payments/"
    paid = client.post(path, {"card_token": "tok_visa"}, format="json", HTTP_IDEMPOTENCY_KEY="p")
    assert paid.status_code == 201, paid.content
    floor_path = f"/api/orders/{floor_order}/payments/"
    floor_paid = _bare_post(
        views.order_pay, floor_path, shopper, {"card_token": "tok_visa"}, order_id=floor_order
    )
    assert floor_paid.status_code == 201
    assert _masked(floor_paid.content) == _masked(bytes(paid.content))
    assert client.get(f"/api/orders/{floor_order}/").json()["status"] == "paid"
    again = _bare_post(
        views.order_pay, floor_path, shopper, {"card_token": "tok_visa"}, order_id=floor_order
    )
    assert again.status_code == 409


@pytest.mark.urls("bench.urls")
def test_naive_drf_fills_and_confirms_a_basket_safely(
    api: Callable[[User | None], Any], make_product: Callable[..., Any], shopper: User
) -> None:
    """bench/baselines.py's naive basket: add grows a line under its stock, confirm makes the
    order and takes the stock, and a basket beyond the stock makes none."""
    client, product = api(shopper), make_product("Song", price="1.49", stock=3, ships=False)
    add = {"product_id": product.pk, "quantity": 2}
    basket = client.post("/bench/naive/basket/items/", add, format="json")
    assert basket.status_code == 200, basket.content
    assert basket.json()["lines"][0]["quantity"] == 2
    order = client.post("/bench/naive/basket/confirm/")
    assert order.status_code == 201, order.content
    assert order.json()["total"] == "2.98"
    product.refresh_from_db()
    assert product.stock == 1
    assert client.post("/bench/naive/basket/items/", add, format="json").status_code == 400
    assert client.post("/bench/naive/basket/confirm/").status_code == 400  # empty


def test_the_basket_journey_reads_a_row_per_step() -> None:
    """bench/basket.py turns wrk's output and basket.lua's per-step lines into rows."""
    from bench import basket

    output = """  16 threads and 16 connections
  Latency Distribution
     99%  120.50ms
  600 requests in 2.00s, 1.00MB read
Journeys: 200
Step add: ok 200 failed 1 busy_ms 4000.0 p50_ms 18.000 p99_ms 40.500
Step confirm: ok 200 failed 0 busy_ms 8000.0 p50_ms 38.000 p99_ms 80.000
Step pay: ok 200 failed 0 busy_ms 20000.0 p50_ms 98.000 p99_ms 150.000
Refused add 409 out_of_stock 1
"""
    agora = basket.scenarios()[0]
    rows = basket.results(output, agora, seconds=2, connections=16)
    assert [(r.scenario.group, r.rps, r.errors, r.p99_ms) for r in rows] == [
        ("basket journey", 100.0, 1, 120.5),
        ("add to basket", 800.0, 1, 40.5),  # 200 answers in 4 s of waiting over 16 connections
        ("confirm (basket -> order)", 400.0, 0, 80.0),
        ("pay an order", 160.0, 0, 150.0),
    ]
    assert [r.refused for r in rows] == [
        {"add: 409 out_of_stock": 1},
        {"409 out_of_stock": 1},
        {},
        {},
    ]


def test_each_basket_run_has_shoppers_of_its_own() -> None:
    """A server still answers a stopped run's queued requests: the next run must not share
    their shoppers (bench/basket.py, Shoppers)."""
    from bench import basket

    shoppers = basket.Shoppers([f"t{i}" for i in range(6)], per_run=3)
    assert (shoppers.take(), shoppers.take()) == ("t0,t1,t2", "t3,t4,t5")
    with pytest.raises(AssertionError):
        shoppers.take()


def test_every_round_runs_the_chosen_rows_and_journeys_only() -> None:
    """bench.run.plan: each round runs each chosen row and basket journey once; the journey's
    step rows (collected from its run) are never run as wrk rows of their own."""
    from bench import basket, run

    chosen = run.scenarios(1, "c")[:2]
    journeys = basket.scenarios()
    planned = list(run.plan(chosen, journeys, rounds=3))
    assert planned == [(n, s) for n in range(3) for s in [*chosen, *journeys]]
