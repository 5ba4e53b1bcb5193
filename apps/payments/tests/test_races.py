"""Concurrency on PostgreSQL: checkout never oversells; a payment is never taken twice, nor
settled twice, nor refunded beyond what it charged."""

import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from apps.ordering.dto import BasketItem, NewOrder
from apps.ordering.models import BasketLine, Order, OrderLine
from apps.ordering.services import basket_add_item, order_place
from apps.payments.dto import NewPayment
from apps.payments.errors import RefundExceedsCaptured
from apps.payments.gateways import DummyGateway
from apps.payments.models import Payment, Refund
from apps.payments.payables import ORDER
from apps.payments.services import payment_pay, payment_settle_stale, refund_payable_part
from conftest import client_for
from tests.races import compete_while_held, run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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
                actor=shopper, data=BasketItem(product_id=product_id, quantity=lines[product_id])
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
            assert response.json()["error"]["code"] == "basket_lines_unavailable"
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


def test_a_charge_asked_for_twice_at_once_with_one_reference_is_one_charge(gateway):
    """Chosen interleaving: A's charge is written but not committed when B asks for the same
    reference; B waits for A's row and, once A commits, answers with A's charge."""

    def charge():
        return DummyGateway().charge(
            amount=Decimal("9.00"), currency="EUR", token="tok_visa", reference="r-1"
        )

    first, second = compete_while_held(charge, charge)

    assert second == first
    assert list(gateway.charges.values()) == [first]


@pytest.mark.parametrize("charged", [True, False])
def test_two_runs_of_the_settling_job_at_once_settle_a_stale_payment_once(
    monkeypatch, settings, make_user, make_product, charged
):
    """Chosen interleaving: both runs have asked the gateway before either settles."""
    settings.PAYMENT_SETTLE_AFTER_SECONDS = 0
    shopper = make_user()
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    payment = Payment.objects.create(  # a killed worker's payment
        payable_kind="order", payable_id=order.id, owner=shopper, amount=order.total, currency="EUR"
    )
    if charged:
        DummyGateway().charge(
            amount=order.total,
            currency="EUR",
            token="tok_visa",
            reference=payment.charge_reference,
        )
    both_asked = threading.Barrier(2)
    real_find = DummyGateway.find_charge

    def find_together(self, reference):
        found = real_find(self, reference)
        both_asked.wait(timeout=10)
        return found

    monkeypatch.setattr(DummyGateway, "find_charge", find_together)

    runs = run_all([lambda: payment_settle_stale()] * 2)

    outcome = "succeeded" if charged else "failed"
    assert [pk for run in runs for pk in getattr(run, outcome)] == [payment.pk]
    assert all(run.refunded == [] for run in runs)
    payment.refresh_from_db()
    assert payment.status == outcome
    assert Order.objects.get(pk=order.id).status == ("paid" if charged else "awaiting_payment")


def test_two_partial_refunds_at_once_never_give_back_more_than_was_charged(make_user, make_product):
    """Chosen interleaving: A has reserved 15.00 of a 25.00 payment and holds it uncommitted
    when B asks for 15.00 more; B waits for A's row and, once A commits, is refused."""
    shopper = make_user()
    order = order_place(
        actor=shopper, data=NewOrder(product_id=make_product(price="12.50").pk, quantity=2)
    )
    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))

    def refund(key):
        def part():
            with transaction.atomic():
                return refund_payable_part(ORDER, order.id, Decimal("15.00"), key=key)

        return part

    first, second = compete_while_held(refund("a"), refund("b"), waits_on="SELECT")

    assert first == Decimal("15.00")
    assert isinstance(second, RefundExceedsCaptured)
    assert Payment.objects.get().amount_refunded == Decimal("15.00")
    assert list(Refund.objects.values_list("key", flat=True)) == ["a"]
