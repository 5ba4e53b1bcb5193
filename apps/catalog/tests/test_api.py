"""The catalog's REST contract: status codes, error bodies, permissions, query budgets."""

import pytest
from django.urls import reverse

from apps.catalog.dto import ProductOut

LIST = "/api/products/"


def detail(pk, action=""):
    return f"/api/products/{pk}/" + (f"{action}/" if action else "")


def test_anyone_lists_active_products_newest_first(api, make_product):
    old, new = make_product("Old"), make_product("New")
    make_product("Gone", is_active=False)
    response = api(None).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["results"]] == [new.pk, old.pk]
    assert body["next"] is None
    for item in body["results"]:
        ProductOut.model_validate(item)  # the documented schema is what is rendered
    assert body["results"][0]["price"] == "10.00"


def test_search_filters_and_ordering(api, make_product):
    make_product("Blue mug", price="5.00", stock=0)
    make_product("Red MUG", price="15.00", stock=3)
    make_product("Teapot", price="25.00", stock=1)

    def names(query):
        response = api(None).get(LIST, query)
        assert response.status_code == 200, response.json()
        return [p["name"] for p in response.json()["results"]]

    assert names({"search": "mug", "ordering": "name"}) == ["Blue mug", "Red MUG"]
    assert names({"min_price": "10", "max_price": "20"}) == ["Red MUG"]
    assert names({"in_stock": "true", "ordering": "-price"}) == ["Teapot", "Red MUG"]
    assert names({"in_stock": "false"}) == ["Blue mug"]
    assert names({"ordering": "price"}) == ["Blue mug", "Red MUG", "Teapot"]


def test_pages_follow_the_next_link_to_the_end(api, make_product):
    made = [make_product(f"P{i:02}") for i in range(7)]
    client, url = api(None), f"{LIST}?ordering=name&page_size=3"
    seen: list[str] = []
    while url:
        body = client.get(url).json()
        seen.extend(p["name"] for p in body["results"])
        url = body["next"]
    assert seen == [p.name for p in made]


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": 101},
        {"page_size": 0},
        {"ordering": "stock"},
        {"min_price": "abc"},
        {"min_price": "-1"},
        {"search": "x" * 101},
        {"cursor": "%%%"},
        {"in_stock": "perhaps"},
    ],
)
def test_bad_query_parameters_are_400(api, query):
    response = api(None).get(LIST, query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == set(query)


def test_the_list_costs_the_same_queries_for_5_or_60_rows(
    api, make_product, shopper, django_assert_num_queries
):
    client = api(shopper)
    for count in (5, 60):
        for _ in range(count - len(client.get(LIST, {"page_size": 100}).json()["results"])):
            make_product()
        # one query for the token (with its user), one for the page: no COUNT, no N+1
        with django_assert_num_queries(2):
            assert len(client.get(LIST, {"page_size": 100}).json()["results"]) == count


def test_anonymous_list_is_a_single_query(api, make_product, django_assert_num_queries):
    make_product()
    with django_assert_num_queries(1):
        api(None).get(LIST)


def test_archived_products_are_hidden_except_from_merchants(api, make_product, shopper, merchant):
    archived = make_product(is_active=False)
    assert api(shopper).get(detail(archived.pk)).status_code == 404
    assert api(None).get(LIST, {"include_archived": "true"}).json()["results"] == []
    assert api(merchant).get(detail(archived.pk)).status_code == 200
    listed = api(merchant).get(LIST, {"include_archived": "true"}).json()["results"]
    assert [p["id"] for p in listed] == [archived.pk]


def test_retrieve_and_not_found(api, make_product):
    product = make_product("Mug")
    assert api(None).get(detail(product.pk)).json()["name"] == "Mug"
    response = api(None).get(detail(987654))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_not_found"


def test_creating_a_product_needs_a_merchant(api, shopper, merchant):
    payload = {"name": "Mug", "price": "12.50", "stock": 4}
    assert api(None).post(LIST, payload, format="json").status_code == 401
    response = api(shopper).post(LIST, payload, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    response = api(merchant).post(LIST, payload, format="json")
    assert response.status_code == 201
    assert response.json()["stock"] == 4


def test_fields_a_client_must_not_set_are_refused(api, merchant):
    payload = {"name": "Mug", "price": "1.00", "id": 5, "created_at": "2020-01-01T00:00:00Z"}
    response = api(merchant).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"id", "created_at"}


def test_update_stock_archive_and_restore_over_the_api(api, make_product, merchant, shopper):
    product = make_product(stock=1)
    client = api(merchant)
    assert (
        client.patch(detail(product.pk), {"price": "3.30"}, format="json").json()["price"] == "3.30"
    )
    assert (
        client.post(detail(product.pk, "stock"), {"delta": 4}, format="json").json()["stock"] == 5
    )
    response = client.post(detail(product.pk, "stock"), {"delta": -9}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_stock"
    assert client.post(detail(product.pk, "archive")).json()["is_active"] is False
    assert client.post(detail(product.pk, "restore")).json()["is_active"] is True
    assert api(shopper).post(detail(product.pk, "archive")).status_code == 403
    assert client.post(detail(424242, "archive")).status_code == 404


def test_urls_are_named(make_product):
    assert reverse("product-detail", kwargs={"pk": 3}) == "/api/products/3/"
