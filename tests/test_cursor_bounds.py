"""A crafted list cursor is a 400, never a 500: its values are checked against the ordering
fields' types and column bounds before they reach SQL (NUL bytes, numbers that overflow the
column, dates that do not parse, values of the wrong type)."""

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PRODUCT_ORDERINGS = ["name", "-name", "price", "-price", "newest", "oldest"]


def crafted(values: Any) -> str:
    """A cursor as servicelayer.pagination encodes one: urlsafe base64 of JSON, unpadded (the
    standard library's encoder: orjson refuses integers beyond 64 bits)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def assert_invalid_cursor(response: Any) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "cursor" in error["fields"]


# first value of the cursor: wrong for the field it stands for, whatever its type
BAD_FIRST_VALUES: dict[str, list[Any]] = {
    "name": ["\u0000", "a\u0000b", "x" * 201, 1, 1.5, True, None],
    "price": [
        "1e999999999",
        "1e999",
        "-1e999",
        10**30,
        "100000000.00",  # 9 whole digits: the column holds 8
        "0.001",
        "NaN",
        "Infinity",
        "-sNaN",
        "\u0000",
        "twelve",
        True,
        None,
    ],
    "created_at": [
        "\u0000",
        "not a date",
        "2024-13-45T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "2024-01-01T00:00:00",  # no time zone
        12,
        True,
    ],
}
# ids are 64-bit (BigAutoField); beyond 2**64 orjson reads a float
BAD_IDS: list[Any] = [2**63, -(2**63) - 1, 10**30, "1", 1.5, True, None, "\u0000"]
FIELD_OF = {
    "name": "name",
    "-name": "name",
    "price": "price",
    "-price": "price",
    "newest": "created_at",
    "oldest": "created_at",
}
GOOD_FIRST_VALUE = {"name": "m", "price": "10.00", "created_at": "2024-01-01T00:00:00Z"}


def product_cases() -> list[tuple[str, list[Any]]]:
    cases = []
    for ordering in PRODUCT_ORDERINGS:
        field = FIELD_OF[ordering]
        cases += [(ordering, [bad, 1]) for bad in BAD_FIRST_VALUES[field]]
        cases += [(ordering, [GOOD_FIRST_VALUE[field], bad]) for bad in BAD_IDS]
    return cases


@pytest.mark.parametrize(("ordering", "values"), product_cases())
def test_a_crafted_product_cursor_is_400(api, make_product, ordering, values):
    make_product("mug", price="10.00")
    response = api(None).get("/api/products/", {"ordering": ordering, "cursor": crafted(values)})
    assert_invalid_cursor(response)


@pytest.mark.parametrize(
    "values",
    [[bad, 1] for bad in BAD_FIRST_VALUES["name"]] + [["m", bad] for bad in BAD_IDS],
)
def test_a_crafted_hotel_cursor_is_400(api, make_hotel, values):
    make_hotel("Grand")
    assert_invalid_cursor(api(None).get("/api/hotels/", {"cursor": crafted(values)}))


@pytest.mark.parametrize(
    ("ordering", "first"),
    [
        ("name", "m"),
        ("-name", "m"),
        ("price", "10.00"),
        ("price", 10),  # a number where the cursor would hold a string: same value
        ("-price", "99999999.99"),
        ("newest", "2999-01-01T00:00:00Z"),
        ("oldest", "2000-01-01T00:00:00+02:00"),
    ],
)
@pytest.mark.parametrize("last_id", [1, 2**31, 2**63 - 1, -(2**63)])
def test_a_well_formed_cursor_still_pages(api, make_product, ordering, first, last_id):
    cursor = crafted([first, last_id])
    response = api(None).get("/api/products/", {"ordering": ordering, "cursor": cursor})
    assert response.status_code == 200, response.content


def test_the_cursors_the_api_hands_out_are_accepted(api, make_product, make_hotel):
    for i in range(3):
        make_product(f"P{i}", price=f"{i + 1}.50")
        make_hotel(f"H{i}")
    client = api(None)
    for url in [f"/api/products/?ordering={o}&page_size=1" for o in PRODUCT_ORDERINGS] + [
        "/api/hotels/?page_size=1"
    ]:
        pages = 0
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            url, pages = response.json()["next"], pages + 1
        assert pages == 3


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["1e999999999", "NaN", "-Infinity", "2024-01-01T00:00:00Z", "\u0000"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(
        [f"/api/products/?ordering={o}" for o in PRODUCT_ORDERINGS] + ["/api/hotels/?"]
    ),
    # mostly pairs (a value and an id), the shape that gets past the length check to the SQL
    values=st.tuples(scalars, st.integers(min_value=-(2**70), max_value=2**70) | scalars).map(list)
    | st.lists(json_values, max_size=3)
    | json_values,
)
def test_no_json_cursor_is_a_server_error(api, path, values):
    response = api(None).get(f"{path}&cursor={crafted(values)}")
    assert response.status_code < 500, response.content
    assert response.status_code in (200, 400)
