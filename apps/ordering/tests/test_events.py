"""An order's events: each change writes one in its transaction, and they are its history
(`GET /api/orders/{id}/events/`) for its owner and merchants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ordering.dto import BasketItem, NewOrder, OrderRef
from apps.ordering.errors import IllegalTransition
from apps.ordering.models import Order
from apps.ordering.services import (
    basket_add_item,
    order_cancel,
    order_confirm,
    order_deliver,
    order_expire_unpaid,
    order_place,
    order_ship,
)
from apps.payments.dto import PaymentRef
from apps.payments.models import Payment
from apps.payments.services import payment_refund
from servicelayer.events import EventOut
from servicelayer.models import Event


def kinds(order_id: int) -> list[str]:
    return list(
        Event.objects.filter(subject="order", subject_id=order_id)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def events_url(order_id: int) -> str:
    return f"/api/orders/{order_id}/events/"


def test_an_order_s_life_is_its_events(shopper, merchant, make_product, pay):
    product = make_product(price="4.20", stock=5)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
    pay(shopper, order.id)
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    order_deliver(actor=merchant, data=OrderRef(order_id=order.id))
    assert kinds(order.id) == ["order.placed", "order.paid", "order.shipped", "order.delivered"]
    placed, paid = Event.objects.order_by("id")[:2]
    assert (placed.owner_id, placed.payload) == (shopper.pk, {"total": "8.40"})
    payment = Payment.objects.get()
    assert paid.owner_id == shopper.pk
    assert paid.payload == {"payment_id": payment.pk, "amount": "8.40", "currency": "EUR"}


def test_a_basket_confirmed_and_a_paid_order_canceled_and_refunded(shopper, make_product, pay):
    product = make_product(stock=5)
    basket_add_item(actor=shopper, data=BasketItem(product_id=product.pk, quantity=1))
    order = order_confirm(actor=shopper)
    pay(shopper, order.id)
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    payment_refund(data=PaymentRef(payment_id=Payment.objects.get().pk))  # the task, here
    assert kinds(order.id) == ["order.confirmed", "order.paid", "order.canceled", "order.refunded"]
    assert Event.objects.get(kind="order.canceled").payload == {"refunded": True}


def test_a_refused_change_writes_no_event(shopper, merchant, make_product):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    with pytest.raises(IllegalTransition):
        order_ship(actor=merchant, data=OrderRef(order_id=order.id))  # not paid yet
    assert kinds(order.id) == ["order.placed"]


def test_the_expiry_job_writes_one_event_per_order_expired(shopper, make_product):
    product = make_product(stock=5)
    ids = [
        order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1)).id
        for _ in range(2)
    ]
    Order.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert order_expire_unpaid().expired == ids
    assert [kinds(order_id) for order_id in ids] == [["order.placed", "order.expired"]] * 2


def test_the_history_is_for_the_owner_and_merchants(
    api, shopper, other_shopper, merchant, make_product
):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    for user in (shopper, merchant):
        response = api(user).get(events_url(order.id))
        assert response.status_code == 200
        results = response.json()["results"]
        assert [EventOut.model_validate(row).kind for row in results] == [
            "order.placed",
            "order.canceled",
        ]
        assert set(results[0]) == {"id", "kind", "created_at", "payload"}
    assert api(other_shopper).get(events_url(order.id)).json()["error"]["code"] == (
        "order_not_found"
    )
    assert api(other_shopper).get(events_url(order.id)).status_code == 404
    assert api(None).get(events_url(order.id)).status_code == 401
    assert api(shopper).get(events_url(424242)).status_code == 404


def test_the_history_pages_oldest_first(api, shopper, make_product, pay):
    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    pay(shopper, order.id)
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    client, link, seen = api(shopper), f"{events_url(order.id)}?page_size=2", []
    while link:
        body = client.get(link).json()
        seen += [row["kind"] for row in body["results"]]
        link = body["next"]
    assert seen == ["order.placed", "order.paid", "order.canceled"]
