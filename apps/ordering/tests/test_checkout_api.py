"""The checkout's middle step over REST: 404s, the pay 409."""

import pytest


@pytest.fixture
def setup(api, merchant, shopper, make_product):
    kettle = make_product("Kettle", price="20.00", stock=5, ships=True)
    alice = api(shopper)
    order = alice.post("/api/orders/", {"product_id": kettle.pk, "quantity": 1}, format="json")
    address = alice.post(
        "/api/addresses/",
        {"name": "A", "line1": "L", "city": "Berlin", "postal_code": "1", "country": "DE"},
        format="json",
    )
    method = api(merchant).post(
        "/api/shipping-methods/",
        {"name": "Standard", "price": "4.90", "countries": ["DE"]},
        format="json",
    )
    return alice, order.json()["id"], address.json()["id"], method.json()["id"]


def test_address_shipping_then_pay(setup):
    alice, order_id, address_id, method_id = setup
    refused = alice.post(f"/api/orders/{order_id}/payments/", {"card_token": "tok_visa"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "order_not_ready"
    assert refused.json()["error"]["details"]["missing"] == ["shipping_address", "shipping_method"]
    addressed = alice.post(f"/api/orders/{order_id}/address/", {"address_id": address_id})
    assert addressed.status_code == 200, addressed.json()
    assert addressed.json()["shipping_address"]["country"] == "DE"
    shipped = alice.post(f"/api/orders/{order_id}/shipping/", {"shipping_method_id": method_id})
    body = shipped.json()
    assert (body["lines_total"], body["shipping_cost"], body["total"]) == ("20.00", "4.90", "24.90")
    assert body["shipping_method"] == {"id": method_id, "name": "Standard"}
    paid = alice.post(f"/api/orders/{order_id}/payments/", {"card_token": "tok_visa"})
    assert (paid.status_code, paid.json()["amount"]) == (201, "24.90")


def test_another_customers_order_or_address_is_a_404(api, setup, other_shopper):
    alice, order_id, _address_id, method_id = setup
    bob = api(other_shopper)
    theirs = bob.post(
        "/api/addresses/",
        {"name": "B", "line1": "L", "city": "Paris", "postal_code": "1", "country": "FR"},
        format="json",
    ).json()["id"]
    mine = alice.post(f"/api/orders/{order_id}/address/", {"address_id": theirs})
    assert (mine.status_code, mine.json()["error"]["code"]) == (404, "address_not_found")
    other = bob.post(f"/api/orders/{order_id}/address/", {"address_id": theirs})
    assert (other.status_code, other.json()["error"]["code"]) == (404, "order_not_found")
    method = bob.post(f"/api/orders/{order_id}/shipping/", {"shipping_method_id": method_id})
    assert method.status_code == 404


def test_a_country_the_method_does_not_serve_is_a_409(api, setup):
    alice, order_id, _, method_id = setup
    rome = alice.post(
        "/api/addresses/",
        {"name": "A", "line1": "L", "city": "Rome", "postal_code": "1", "country": "IT"},
        format="json",
    ).json()["id"]
    alice.post(f"/api/orders/{order_id}/address/", {"address_id": rome})
    refused = alice.post(f"/api/orders/{order_id}/shipping/", {"shipping_method_id": method_id})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "shipping_country_not_served"
