"""`GET /api/products/?search=`: relevance, typos (PostgreSQL), pages, facets."""

import pytest
from django.db import connection

from apps.catalog.dto import NewAttribute, NewCategory, NewProduct
from apps.catalog.services import attribute_create, category_create, product_create

LIST = "/api/products/"


@pytest.fixture
def shop(merchant):
    """A few products, in categories, with colours."""
    lighting = category_create(actor=merchant, data=NewCategory(name="Lighting", slug="lighting"))
    kitchen = category_create(actor=merchant, data=NewCategory(name="Kitchen", slug="kitchen"))
    attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    made = {}
    for name, description, price, category, colour in [
        ("Storm lantern", "A brass lamp for windy evenings.", "24.00", lighting, "brass"),
        ("Desk lamp", "Bright light for reading, with a brass foot.", "45.00", lighting, "black"),
        ("Teapot", "Porcelain, for six cups.", "18.00", kitchen, "white"),
        ("Mug", "A porcelain mug that holds a lot of tea.", "6.50", kitchen, "white"),
    ]:
        made[name] = product_create(
            actor=merchant,
            data=NewProduct(
                name=name,
                description=description,
                price=price,
                stock=5,
                category_id=category.id,
                attributes={"colour": colour},
            ),
        )
    return made


def found(client, **query):
    response = client.get(LIST, query)
    assert response.status_code == 200, response.json()
    return [p["name"] for p in response.json()["results"]]


def test_a_word_of_the_description_finds_the_product(api, shop):
    assert found(api(None), search="windy") == ["Storm lantern"]
    assert sorted(found(api(None), search="porcelain")) == ["Mug", "Teapot"]


def test_words_of_the_name_rank_above_words_of_the_description(api, shop):
    # "lamp" is the Desk lamp's name and a word of the Storm lantern's description
    assert found(api(None), search="lamp") == ["Desk lamp", "Storm lantern"]
    # "tea" names nothing exactly: the mug says it in its description
    assert "Mug" in found(api(None), search="tea")


def test_category_names_and_attribute_values_are_searched(api, shop):
    assert sorted(found(api(None), search="lighting")) == ["Desk lamp", "Storm lantern"]
    assert sorted(found(api(None), search="white")) == ["Mug", "Teapot"]


def test_every_word_must_match(api, shop):
    assert found(api(None), search="brass windy") == ["Storm lantern"]
    assert found(api(None), search="brass porcelain") == []


def test_an_explicit_ordering_replaces_relevance(api, shop):
    assert found(api(None), search="brass", ordering="price") == ["Storm lantern", "Desk lamp"]
    bad = api(None).get(LIST, {"ordering": "relevance"})
    assert bad.status_code == 400


@pytest.mark.postgres
def test_a_misspelled_or_partial_name_finds_the_product_on_postgresql(api, shop):
    assert found(api(None), search="lantren") == ["Storm lantern"]
    assert found(api(None), search="teapott") == ["Teapot"]
    assert found(api(None), search="lant")[0] == "Storm lantern"


def test_relevance_pages_follow_the_next_link_without_gaps(api, merchant, make_product):
    for i in range(13):
        # ranks tie in groups (same words), so the id breaks ties across pages
        make_product(f"Lantern {i}" if i % 3 else f"Lantern lantern {i}", description="lantern")
    client, url = api(None), f"{LIST}?search=lantern&page_size=4"
    seen: list[str] = []
    while url:
        body = client.get(url).json()
        seen.extend(p["name"] for p in body["results"])
        url = body["next"]
        assert "rank" not in (body["results"] or [{}])[0]
    assert len(seen) == len(set(seen)) == 13


def test_facets_count_every_match_in_a_constant_number_of_queries(
    api, shop, merchant, make_product, django_assert_num_queries
):
    client = api(None)
    body = client.get(LIST, {"search": "brass", "facets": "true", "page_size": 1}).json()
    assert len(body["results"]) == 1  # the page; the facets count both matches
    facets = body["facets"]
    assert sorted((c["name"], c["count"]) for c in facets["categories"]) == [("Lighting", 2)]
    assert facets["price_bands"] == [
        {"min": "10", "max": "25", "count": 1},
        {"min": "25", "max": "50", "count": 1},
    ]
    assert facets["attributes"] == [
        {"code": "colour", "value": "black", "count": 1},
        {"code": "colour", "value": "brass", "count": 1},
    ]
    everything = client.get(LIST, {"facets": "true"}).json()["facets"]
    assert {c["name"]: c["count"] for c in everything["categories"]} == {
        "Lighting": 2,
        "Kitchen": 2,
    }
    assert {(a["value"], a["count"]) for a in everything["attributes"]} == {
        ("brass", 1),
        ("black", 1),
        ("white", 2),
    }
    assert "facets" not in client.get(LIST).json()
    # the page and two facet queries; on PostgreSQL a search also runs in a transaction
    # that sets the trigram threshold (savepoint, SET LOCAL, release: 3 more)
    budget = 3 + (3 if connection.vendor == "postgresql" else 0)
    for more in (0, 30):
        for i in range(more):
            make_product(f"Brass thing {i}", price=str(5 + i * 10))
        with django_assert_num_queries(budget):
            client.get(LIST, {"search": "brass", "facets": "true"})
