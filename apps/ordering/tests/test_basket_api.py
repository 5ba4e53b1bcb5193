"""Baskets, confirmation and payment over REST: contract, permissions, idempotency, budgets."""

import pytest

from apps.ordering.dto import BasketOut
from apps.ordering.models import Order
from apps.payments.models import Payment
from tests.factories import set_stock

BASKET, ITEMS, CONFIRM = "/api/basket/", "/api/basket/items/", "/api/basket/confirm/"


def pay_url(order_id):
    return f"/api/orders/{order_id}/payments/"


@pytest.fixture
def filled(api, shopper, make_product):
    mug = make_product("Mug", price="3.00", stock=10)
    response = api(shopper).post(ITEMS, {"product_id": mug.pk, "quantity": 2}, format="json")
    assert response.status_code == 200, response.json()
    return mug


def test_a_shopper_fills_confirms_and_pays(api, shopper, filled, gateway):
    client = api(shopper)
    basket = client.get(BASKET).json()
    BasketOut.model_validate(basket)
    assert (basket["total"], basket["lines"][0]["line_total"]) == ("6.00", "6.00")
    response = client.patch(f"{ITEMS}{filled.pk}/", {"quantity": 3}, format="json")
    assert response.json()["total"] == "9.00"
    response = client.post(CONFIRM)
    assert response.status_code == 201
    order = response.json()
    assert (order["status"], order["total"]) == ("awaiting_payment", "9.00")
    assert client.get(BASKET).json()["lines"] == []
    response = client.post(pay_url(order["id"]), {"card_token": "tok_visa"}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["amount"]) == ("succeeded", "9.00")
    assert client.get(f"/api/orders/{order['id']}/").json()["status"] == "paid"
    assert [p["status"] for p in client.get(pay_url(order["id"])).json()] == ["succeeded"]


@pytest.mark.parametrize(
    ("method", "url", "payload", "status", "code"),
    [
        ("post", ITEMS, {"product_id": 424242, "quantity": 1}, 404, "product_not_found"),
        ("post", ITEMS, {"quantity": 1}, 400, "invalid"),
        ("post", ITEMS, {"product_id": 1, "quantity": 5000}, 400, "invalid"),
        ("patch", f"{ITEMS}424242/", {"quantity": 1}, 404, "item_not_in_basket"),
        ("delete", f"{ITEMS}424242/", None, 404, "item_not_in_basket"),
    ],
)
def test_basket_errors(api, shopper, db, method, url, payload, status, code):
    response = getattr(api(shopper), method)(url, payload, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_confirming_an_empty_basket_or_one_that_cannot_be_served_is_409(api, shopper, filled):
    client = api(shopper)
    set_stock(filled, 1)
    response = client.post(CONFIRM)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "basket_lines_unavailable"
    assert error["details"]["lines"][0]["product_id"] == filled.pk
    client.delete(BASKET)
    response = client.post(CONFIRM)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "basket_empty")


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        ("tok_chargeDeclinedInsufficientFunds", 402, "payment_declined"),
        ("tok_providerDown", 503, "payment_provider_unavailable"),
        ("not-a-token", 400, "invalid"),
    ],
)
def test_payment_failures(api, shopper, filled, token, status, code):
    client = api(shopper)
    order = client.post(CONFIRM).json()
    response = client.post(pay_url(order["id"]), {"card_token": token}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert client.get(f"/api/orders/{order['id']}/").json()["status"] == "awaiting_payment"


def test_nobody_pays_or_sees_anothers_order_or_basket(api, shopper, other_shopper, filled):
    order = api(shopper).post(CONFIRM).json()
    stranger = api(other_shopper)
    response = stranger.post(pay_url(order["id"]), {"card_token": "tok_visa"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "order_not_found")
    response = stranger.get(pay_url(order["id"]))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "order_not_found")
    assert stranger.get(BASKET).json()["lines"] == []
    for client in (api(None),):
        assert client.get(BASKET).status_code == 401
        assert client.post(CONFIRM).status_code == 401
        assert (
            client.post(pay_url(order["id"]), {"card_token": "tok_visa"}, format="json").status_code
            == 401
        )


def test_paying_twice_is_409(api, shopper, filled):
    client = api(shopper)
    order = client.post(CONFIRM).json()
    client.post(pay_url(order["id"]), {"card_token": "tok_visa"}, format="json")
    response = client.post(pay_url(order["id"]), {"card_token": "tok_visa"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "order_not_payable")


def test_a_confirmation_retried_with_its_key_is_replayed_not_repeated(api, shopper, filled):
    client = api(shopper)
    first = client.post(CONFIRM, HTTP_IDEMPOTENCY_KEY="confirm-1")
    again = client.post(CONFIRM, HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    filled.refresh_from_db()
    assert filled.stock == 8


def test_a_payment_retried_with_its_key_charges_once(api, shopper, filled, gateway):
    client = api(shopper)
    order = client.post(CONFIRM).json()
    responses = [
        client.post(
            pay_url(order["id"]),
            {"card_token": "tok_visa"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-1",
        )
        for _ in range(3)
    ]
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(gateway.charges) == 1
    assert Payment.objects.count() == 1


def test_a_key_reused_for_another_request_is_422(api, shopper, filled):
    client = api(shopper)
    order = client.post(CONFIRM).json()
    client.post(
        pay_url(order["id"]),
        {"card_token": "tok_chargeDeclined"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    response = client.post(
        pay_url(order["id"]), {"card_token": "tok_visa"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (
        422,
        "idempotency_key_reused",
    )


def test_a_declined_payment_is_replayed_under_its_key_and_paid_under_a_new_one(
    api, shopper, filled
):
    client = api(shopper)
    order = client.post(CONFIRM).json()

    def pay(token, key):
        return client.post(
            pay_url(order["id"]), {"card_token": token}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )

    assert pay("tok_chargeDeclined", "a").status_code == 402
    assert pay("tok_chargeDeclined", "a").status_code == 402  # the same answer, no new attempt
    assert pay("tok_visa", "b").status_code == 201
    assert Payment.objects.count() == 2


def test_an_unavailable_provider_releases_the_key(api, shopper, filled):
    client = api(shopper)
    order = client.post(CONFIRM).json()
    url = pay_url(order["id"])
    assert (
        client.post(
            url, {"card_token": "tok_providerDown"}, format="json", HTTP_IDEMPOTENCY_KEY="z"
        ).status_code
        == 503
    )
    assert (
        client.post(
            url, {"card_token": "tok_providerDown"}, format="json", HTTP_IDEMPOTENCY_KEY="z"
        ).status_code
        == 503
    )
    assert Payment.objects.count() == 2  # tried twice: the first 503 was not replayed


def test_a_bad_idempotency_key_is_400(api, shopper, filled):
    response = api(shopper).post(CONFIRM, HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_the_basket_costs_the_same_queries_for_1_or_20_lines(
    api, shopper, make_product, django_assert_num_queries
):
    client = api(shopper)
    for count in (1, 20):
        while len(client.get(BASKET).json()["lines"]) < count:
            client.post(
                ITEMS, {"product_id": make_product(stock=5).pk, "quantity": 1}, format="json"
            )
        # token, basket lines, their products
        with django_assert_num_queries(3):
            assert len(client.get(BASKET).json()["lines"]) == count


def test_confirming_costs_a_fixed_number_of_queries_per_line(
    api, shopper, make_product, django_assert_max_num_queries
):
    client = api(shopper)
    for _ in range(5):
        client.post(ITEMS, {"product_id": make_product(stock=5).pk, "quantity": 1}, format="json")
    # token, basket, its lock, its lines, 5 variants' stock updates and 5 of their products'
    # sums, order, lines in one insert, delete, and the savepoints of the test's transaction
    with django_assert_max_num_queries(20):
        assert client.post(CONFIRM).status_code == 201
