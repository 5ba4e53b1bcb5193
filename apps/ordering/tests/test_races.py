"""Concurrency on PostgreSQL: stock is never oversold, whatever the interleaving."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from apps.catalog.interface import OutOfStock, take_stock
from apps.ordering.dto import PlaceOrder
from apps.ordering.models import Order
from apps.ordering.services import order_place
from conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_40_shoppers_order_the_last_25_units_at_once(make_user, make_product):
    product = make_product(stock=25)
    users = [make_user() for _ in range(40)]
    clients = [client_for(user) for user in users]
    start = threading.Barrier(len(clients))

    def order(client):
        try:
            start.wait()
            response = client.post(
                "/api/orders/", {"product_id": product.pk, "quantity": 1}, format="json"
            )
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        results = list(pool.map(order, clients))

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
    a_took, a_may_commit, b_finished = threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def competitor_a():
        try:
            with transaction.atomic():
                take_stock(product.pk, 1)
                a_took.set()
                a_may_commit.wait(timeout=10)
        finally:
            connection.close()

    def shopper_b():
        try:
            a_took.wait(timeout=10)
            order_place(actor=shopper, data=PlaceOrder(product_id=product.pk, quantity=1))
            outcome["b"] = "ordered"
        except OutOfStock:
            outcome["b"] = "out_of_stock"
        finally:
            b_finished.set()
            connection.close()

    a, b = threading.Thread(target=competitor_a), threading.Thread(target=shopper_b)
    a.start()
    b.start()
    assert a_took.wait(timeout=10)
    assert not b_finished.wait(timeout=0.5), "B must wait for A's lock, not read stale stock"
    a_may_commit.set()
    a.join(timeout=10)
    b.join(timeout=10)
    assert outcome == {"b": "out_of_stock"}
    product.refresh_from_db()
    assert product.stock == 0
    assert not Order.objects.exists()
