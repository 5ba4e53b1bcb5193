"""Concurrency on PostgreSQL: stock is never oversold, whatever the interleaving."""

from collections import Counter

import pytest

from apps.catalog.interface import OutOfStock, take_stock
from apps.ordering.dto import NewOrder
from apps.ordering.models import Order
from apps.ordering.services import order_place
from conftest import client_for
from tests.races import compete_while_held, run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_40_shoppers_order_the_last_25_units_at_once(make_user, make_product):
    product = make_product(stock=25)
    users = [make_user() for _ in range(40)]
    clients = [client_for(user) for user in users]

    def order(client):
        response = client.post(
            "/api/orders/", {"product_id": product.pk, "quantity": 1}, format="json"
        )
        return response.status_code, response.json()

    results = run_all([lambda c=c: order(c) for c in clients])

    assert Counter(status for status, _ in results) == {201: 25, 409: 15}
    assert {body["error"]["code"] for status, body in results if status == 409} == {"out_of_stock"}
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 25


def test_an_order_waits_for_a_competing_uncommitted_take_and_then_sees_it(make_user, make_product):
    """Chosen interleaving: A takes the last unit and holds its transaction open; B orders in
    between. B must block on A's row lock and, once A commits, find nothing left."""
    product = make_product(stock=1)
    shopper = make_user()

    _, outcome = compete_while_held(
        lambda: take_stock(product.pk, 1),
        lambda: order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1)),
    )

    assert isinstance(outcome, OutOfStock)
    product.refresh_from_db()
    assert product.stock == 0
    assert not Order.objects.exists()
