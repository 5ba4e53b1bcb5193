"""Concurrency on PostgreSQL: checkout never oversells; a payment is never taken twice."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.ordering.models import BasketLine, Order, OrderLine
from apps.ordering.services import basket_add_item
from apps.payments.models import Payment
from conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_all(calls):
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_30_shoppers_confirm_baskets_that_ask_for_more_than_two_products_hold(
    make_user, make_product
):
    kettle, mug = make_product("Kettle", stock=20), make_product("Mug", stock=25)
    rng = random.Random(7)
    shoppers, wanted = [], {}
    for _ in range(30):
        shopper = make_user()
        lines = {kettle.pk: rng.randint(1, 3), mug.pk: rng.randint(1, 3)}
        # half the baskets list the products the other way round: locks must still not deadlock
        for product_id in sorted(lines, reverse=rng.random() < 0.5):
            basket_add_item(
                actor=shopper, data={"product_id": product_id, "quantity": lines[product_id]}
            )
        shoppers.append(shopper)
        wanted[shopper.pk] = lines
    assert sum(w[kettle.pk] for w in wanted.values()) > 20  # together they ask for too much
    clients = [client_for(shopper) for shopper in shoppers]

    results = run_all([lambda c=c: c.post("/api/basket/confirm/") for c in clients])

    statuses = Counter(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    assert statuses[409] >= 1
    for response in results:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "out_of_stock"
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert kettle.stock >= 0
    assert mug.stock >= 0
    # each order is whole: exactly its shopper's basket, or it does not exist
    for order in Order.objects.all():
        lines = dict(OrderLine.objects.filter(order=order).values_list("product_id", "quantity"))
        assert lines == wanted[order.owner_id]
    taken: Counter[int] = Counter()
    for product_id, quantity in OrderLine.objects.values_list("product_id", "quantity"):
        taken[product_id] += quantity
    assert kettle.stock == 20 - taken[kettle.pk]
    assert mug.stock == 25 - taken[mug.pk]
    # the baskets of the shoppers who got nothing are kept
    refused = {r.wsgi_request.user.pk for r in results if r.status_code == 409}
    assert set(BasketLine.objects.values_list("basket__owner_id", flat=True)) == refused


def test_one_payment_sent_20_times_at_once_with_one_key_charges_once(
    make_user, make_product, gateway
):
    shopper = make_user()
    product = make_product(price="7.00", stock=5)
    client = client_for(shopper)
    order = client.post("/api/orders/", {"product_id": product.pk, "quantity": 2}, format="json")
    order_id = order.json()["id"]
    gateway.latency = 0.3  # the first request is still at the gateway when the others arrive
    clients = [client_for(shopper) for _ in range(20)]

    def pay(c):
        return c.post(
            f"/api/orders/{order_id}/payments/",
            {"card_token": "tok_visa"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-order-once",
        )

    results = run_all([lambda c=c: pay(c) for c in clients])

    assert len(gateway.charges) == 1
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.status == "succeeded"
    statuses = Counter(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    for response in results:
        body = response.json()
        if response.status_code == 201:
            assert body["id"] == payment.pk
        else:
            assert body["error"]["code"] == "idempotency_request_in_progress"
    # once it finished, the key replays the one payment
    replay = pay(clients[0])
    assert (replay.status_code, replay.json()["id"]) == (201, payment.pk)
    assert Order.objects.get(pk=order_id).status == "paid"
