"""Queries per request stay constant in page size and basket size (issue 15): a request that
costs one more query per row or per line is an N+1, found here before a benchmark finds it.

Each test counts the statements of the same request at a small and a large size and asks for
the same count (and pins it, so that a new statement per request is a decision, not a drift).
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/products/"
BASKET = "/api/basket/"
ITEMS = "/api/basket/items/"
CONFIRM = "/api/basket/confirm/"


def _queries(send: Callable[[], Any]) -> tuple[int, Any]:
    """How many statements `send()` ran, and what it answered."""
    with CaptureQueriesContext(connection) as captured:
        response = send()
    return len(captured.captured_queries), response


@pytest.mark.parametrize("user", [None, "alice"])
def test_a_product_page_costs_the_same_for_1_20_or_100_rows(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    shopper: User,
    user: str | None,
) -> None:
    for _ in range(101):  # every page size below has a next page
        make_product()
    client = api(shopper if user else None)
    counts = set()
    for size in (1, 20, 100):
        count, response = _queries(lambda: client.get(PRODUCTS, {"page_size": size}))  # noqa: B023
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        assert response.json()["next"]
        counts.add(count)
    # the page (and, signed in, the token with its user): no COUNT, no query per row
    assert counts == {2 if user else 1}


def _fill(client: Any, make_product: Callable[..., Any], lines: int) -> None:
    for _ in range(lines):
        product = make_product(stock=50)
        response = client.post(ITEMS, {"product_id": product.pk, "quantity": 1}, format="json")
        assert response.status_code == 200, response.content


def _with_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
    send: Callable[[Any, Any], Any],
) -> dict[int, int]:
    """The statements of `send(client, product)` for a shopper whose basket holds 1 and 10
    lines (a fresh shopper each, `product` one more product in stock)."""
    counts = {}
    for lines in (1, 10):
        client = api(make_user(f"shopper{lines}"))
        _fill(client, make_product, lines)
        product = make_product(stock=50)
        count, response = _queries(lambda: send(client, product))  # noqa: B023
        assert 200 <= response.status_code < 300, response.content
        counts[lines] = count
    return counts


def test_the_basket_costs_the_same_for_1_or_10_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    counts = _with_lines(api, make_product, make_user, lambda client, _: client.get(BASKET))
    assert counts == {1: 3, 10: 3}  # the token, the lines, their products


def test_adding_to_the_basket_costs_the_same_for_1_or_10_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    def add(client: Any, product: Any) -> Any:
        return client.post(ITEMS, {"product_id": product.pk, "quantity": 1}, format="json")

    counts = _with_lines(api, make_product, make_user, add)
    assert counts[1] == counts[10]


def test_adding_more_of_a_line_costs_the_same_for_1_or_10_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    def add_again(client: Any, product: Any) -> Any:
        add = {"product_id": product.pk, "quantity": 1}
        assert client.post(ITEMS, add, format="json").status_code == 200
        return client.post(ITEMS, add, format="json")

    counts = _with_lines(api, make_product, make_user, add_again)
    assert counts[1] == counts[10]


def test_an_order_costs_the_same_to_read_with_1_or_10_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    counts = {}
    for lines in (1, 10):
        client = api(make_user(f"shopper{lines}"))
        _fill(client, make_product, lines)
        order = client.post(CONFIRM)
        assert order.status_code == 201, order.content
        url = f"/api/orders/{order.json()['id']}/"
        count, response = _queries(lambda: client.get(url))  # noqa: B023
        assert len(response.json()["lines"]) == lines
        counts[lines] = count
    assert counts == {1: 3, 10: 3}  # the token, the order with its customer, its lines


def _confirm_counts(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> dict[int, int]:
    counts = {}
    for lines in (1, 10):
        client = api(make_user(f"shopper{lines}"))
        _fill(client, make_product, lines)
        count, response = _queries(
            lambda: client.post(CONFIRM, HTTP_IDEMPOTENCY_KEY=f"confirm-{lines}")  # noqa: B023
        )
        assert response.status_code == 201, response.content
        assert len(response.json()["lines"]) == lines
        counts[lines] = count
    return counts


def test_confirming_costs_the_same_for_1_or_10_lines(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    """Confirming takes every line's stock with catalog's take_stock: one conditional UPDATE
    of all the variants (locked by variant id), one of their products' sums (by product id:
    the lock order). Everything else (the order with its lines, the basket's delete, the
    event) is one statement whatever the size too. PostgreSQL inserts the order and its lines
    in one statement and leaves the idempotency savepoint to the COMMIT: two fewer."""
    counts = _confirm_counts(api, make_product, make_user)
    pinned = 14 if connection.vendor == "postgresql" else 16
    assert counts == {1: pinned, 10: pinned}


def test_placing_an_order_with_a_key_costs_its_pinned_statements(
    api: Callable[[User | None], Any],
    make_product: Callable[..., Any],
    shopper: User,
) -> None:
    """Order placement by product with an Idempotency-Key: the token; the key's advisory lock
    with its record read; the work's savepoint; the variant's conditional UPDATE (which also
    chooses the product's one variant); the product's sum; the order with its line (one
    INSERT on PostgreSQL); the event; the stored response. SQLite has no advisory locks, so
    the key is claimed apart from the work (servicelayer.idempotency) and the order and its
    line are two INSERTs. Inside a test's transaction BEGIN and COMMIT are a savepoint and its
    release. A new statement here is a
    decision (docs/performance.md, "Queries per request"), not a drift."""
    product = make_product(stock=50)
    client = api(shopper)
    count, response = _queries(
        lambda: client.post(
            "/api/orders/",
            {"product_id": product.pk, "quantity": 1},
            format="json",
            HTTP_IDEMPOTENCY_KEY="place-once",
        )
    )
    assert response.status_code == 201, response.content
    assert count == (10 if connection.vendor == "postgresql" else 12)
