"""The address book over REST."""

import pytest

ADDRESS = {
    "name": "Alice Martin",
    "line1": "Torstrasse 12",
    "city": "Berlin",
    "postal_code": "10119",
    "country": "de",
}


@pytest.fixture
def alice(api, shopper):
    return api(shopper)


def test_a_shopper_keeps_an_address_book(alice):
    created = alice.post("/api/addresses/", ADDRESS, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["country"], body["is_default"], body["line2"]) == ("DE", True, "")
    address_id = body["id"]
    patched = alice.patch(f"/api/addresses/{address_id}/", {"city": "Potsdam"}, format="json")
    assert patched.json()["city"] == "Potsdam"
    assert [a["city"] for a in alice.get("/api/addresses/").json()] == ["Potsdam"]
    assert alice.post(f"/api/addresses/{address_id}/default/").status_code == 200
    assert alice.delete(f"/api/addresses/{address_id}/").status_code == 204
    assert alice.get(f"/api/addresses/{address_id}/").status_code == 404


def test_a_bad_country_is_a_400(alice):
    response = alice.post("/api/addresses/", {**ADDRESS, "country": "XX"}, format="json")
    assert response.status_code == 400
    assert "country" in response.json()["error"]["fields"]


def test_another_customers_address_is_a_404(api, alice, other_shopper):
    theirs = api(other_shopper).post("/api/addresses/", ADDRESS, format="json").json()["id"]
    for response in [
        alice.get(f"/api/addresses/{theirs}/"),
        alice.patch(f"/api/addresses/{theirs}/", {"city": "X"}, format="json"),
        alice.delete(f"/api/addresses/{theirs}/"),
        alice.post(f"/api/addresses/{theirs}/default/"),
    ]:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "address_not_found"


def test_the_book_needs_a_sign_in(api):
    assert api(None).get("/api/addresses/").status_code == 401
