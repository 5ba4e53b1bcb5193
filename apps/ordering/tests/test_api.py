"""The orders REST contract: status codes, error bodies, permissions, query budgets."""

import pytest

from apps.ordering.dto import OrderOut
from tests.factories import variant_of

LIST = "/api/orders/"


def url(pk, action=""):
    return f"/api/orders/{pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def place(api, make_product):
    def place(user, quantity=1, product=None):
        product = product or make_product(stock=100)
        response = api(user).post(
            LIST, {"product_id": product.pk, "quantity": quantity}, format="json"
        )
        assert response.status_code == 201, response.json()
        return response.json()

    return place


def test_a_shopper_places_an_order(api, shopper, make_product):
    product = make_product(price="2.50", stock=3)
    response = api(shopper).post(LIST, {"product_id": product.pk, "quantity": 2}, format="json")
    assert response.status_code == 201
    body = response.json()
    OrderOut.model_validate(body)
    assert body["status"] == "awaiting_payment"
    assert body["total"] == "5.00"
    assert body["lines"] == [
        {
            "product_id": product.pk,
            "variant_id": variant_of(product),
            "product_name": product.name,
            "sku": f"P{product.pk}",
            "attributes": {},
            "quantity": 2,
            "unit_price": "2.50",
            "line_total": "5.00",
        }
    ]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"quantity": 5}, 409, "out_of_stock"),
        ({"quantity": 0}, 400, "invalid"),
        ({"quantity": 10**9}, 400, "invalid"),
        ({"quantity": "two"}, 400, "invalid"),
        ({"product_id": 424242}, 404, "product_not_found"),
        ({"product_id": 2**63}, 400, "invalid"),
        ({"owner": 1}, 400, "invalid"),
        ({"status": "delivered"}, 400, "invalid"),
    ],
)
def test_placing_an_order_refuses_cleanly(api, shopper, make_product, payload, status, code):
    product = make_product(stock=3)
    response = api(shopper).post(
        LIST, {"product_id": product.pk, "quantity": 1} | payload, format="json"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    product.refresh_from_db()
    assert product.stock == 3


def test_anonymous_users_reach_no_order_endpoint(api, shopper, place):
    order = place(shopper)
    client = api(None)
    for response in (
        client.get(LIST),
        client.post(LIST, {"product_id": 1, "quantity": 1}, format="json"),
        client.get(url(order["id"])),
        client.post(url(order["id"], "cancel")),
        client.post(url(order["id"], "quantity"), {"quantity": 2}, format="json"),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


def test_a_shopper_sees_only_their_own_orders(api, shopper, other_shopper, place):
    mine, theirs = place(shopper), place(other_shopper)
    assert [o["id"] for o in api(shopper).get(LIST).json()["results"]] == [mine["id"]]
    client = api(shopper)
    for response in (
        client.get(url(theirs["id"])),
        client.post(url(theirs["id"], "cancel")),
        client.post(url(theirs["id"], "quantity"), {"quantity": 2}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "order_not_found"


def test_a_merchant_sees_all_orders_and_filters_by_status(
    api, shopper, other_shopper, merchant, place, pay
):
    first, second = place(shopper), place(other_shopper)
    pay(shopper, first["id"])
    client = api(merchant)
    assert [o["id"] for o in client.get(LIST).json()["results"]] == [second["id"], first["id"]]
    client.post(url(first["id"], "ship"))
    shipped = client.get(LIST, {"status": "shipped"}).json()["results"]
    assert [(o["id"], o["customer"]) for o in shipped] == [(first["id"], "alice")]
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_change_quantity_and_cancel(api, shopper, place, make_product):
    product = make_product(stock=10, price="1.00")
    order = place(shopper, 2, product)
    client = api(shopper)
    response = client.post(url(order["id"], "quantity"), {"quantity": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["total"] == "4.00"
    response = client.post(url(order["id"], "quantity"), {"quantity": 40}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "out_of_stock"
    assert client.post(url(order["id"], "cancel")).json()["status"] == "canceled"
    product.refresh_from_db()
    assert product.stock == 10
    response = client.post(url(order["id"], "quantity"), {"quantity": 1}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "order_not_editable")


def test_ship_and_deliver_are_for_merchants(api, shopper, merchant, place, pay):
    order = place(shopper)
    response = api(merchant).post(url(order["id"], "ship"))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "illegal_transition")
    pay(shopper, order["id"])
    response = api(shopper).post(url(order["id"], "ship"))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    response = api(merchant).post(url(order["id"], "deliver"))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "illegal_transition")
    assert api(merchant).post(url(order["id"], "ship")).json()["status"] == "shipped"
    assert api(merchant).post(url(order["id"], "deliver")).json()["status"] == "delivered"
    assert api(merchant).post(url(987654, "ship")).status_code == 404


def test_listing_orders_costs_the_same_queries_for_2_or_30_orders(
    api, shopper, place, django_assert_num_queries
):
    client = api(shopper)
    for count in (2, 30):
        while len(client.get(LIST, {"page_size": 100}).json()["results"]) < count:
            place(shopper)
        # token + orders page + their lines
        with django_assert_num_queries(3):
            assert len(client.get(LIST, {"page_size": 100}).json()["results"]) == count


def test_placing_an_order_has_a_fixed_query_budget(
    api, shopper, make_product, django_assert_max_num_queries
):
    product, client = make_product(stock=5), api(shopper)
    # token, the product's one variant, UPDATE..RETURNING the variant's stock, UPDATE its
    # product's sum, INSERT order, INSERT line, INSERT its event (+ savepoint and release here)
    with django_assert_max_num_queries(9):
        response = client.post(LIST, {"product_id": product.pk, "quantity": 1}, format="json")
    assert response.status_code == 201
    # naming the variant spares looking it up
    body = {"variant_id": variant_of(product), "quantity": 1}
    with django_assert_max_num_queries(8):
        response = client.post(LIST, body, format="json")
    assert response.status_code == 201


def test_orders_page_with_next_links(api, shopper, place):
    ids = [place(shopper)["id"] for _ in range(5)]
    client, link, seen = api(shopper), f"{LIST}?page_size=2", []
    while link:
        body = client.get(link).json()
        seen += [o["id"] for o in body["results"]]
        link = body["next"]
    assert seen == sorted(ids, reverse=True)
