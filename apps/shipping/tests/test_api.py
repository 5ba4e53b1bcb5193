"""Shipping methods over REST."""


def test_a_merchant_offers_a_method_and_anyone_lists_it(api, merchant, shopper):
    created = api(merchant).post(
        "/api/shipping-methods/",
        {"name": "Standard", "price": "4.90", "free_above": "50.00", "countries": ["DE"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = api(None).get("/api/shipping-methods/?country=DE").json()
    assert [(m["name"], m["price"], m["free_above"]) for m in listed] == [
        ("Standard", "4.90", "50.00")
    ]
    assert api(None).get("/api/shipping-methods/?country=FR").json() == []
    assert api(None).get("/api/shipping-methods/?country=ZZ").status_code == 400
    method_id = created.json()["id"]
    assert api(shopper).post(f"/api/shipping-methods/{method_id}/archive/").status_code == 403
    assert api(merchant).post(f"/api/shipping-methods/{method_id}/archive/").status_code == 200
    assert api(None).get(f"/api/shipping-methods/{method_id}/").status_code == 404
