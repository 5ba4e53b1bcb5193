"""Paying for orders, declines, an unavailable provider, refunds, and order expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import NewOrder, OrderLineCount, OrderRef
from apps.ordering.errors import IllegalTransition
from apps.ordering.models import Order
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    order_cancel,
    order_change_quantity,
    order_expire_unpaid,
    order_place,
)
from apps.payments.dto import NewPayment, PaymentRef
from apps.payments.errors import (
    OrderNotPayable,
    PaymentDeclined,
    PaymentInProgress,
    PaymentProviderUnavailable,
)
from apps.payments.interface import OrderNotFound
from apps.payments.models import Payment, PaymentStatus
from apps.payments.selectors import payments_of_order
from apps.payments.services import payment_pay, payment_refund, payment_retry_refunds
from servicelayer.dto import validate_input
from servicelayer.errors import InvalidInput
from servicelayer.registry import spec_of


@pytest.fixture
def order(shopper, make_product):
    product = make_product(price="12.50", stock=10)
    return order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))


def status_of(order_id, user):
    return order_get(actor=user, order_id=order_id)["status"]


def pay(user, order_id, token="tok_visa"):
    return payment_pay(actor=user, data=NewPayment(order_id=order_id, card_token=token))


def test_paying_charges_the_total_and_marks_the_order_paid(shopper, order, gateway):
    payment = pay(shopper, order.id)
    assert (payment.status, payment.amount, payment.currency) == (
        "succeeded",
        Decimal("25.00"),
        "EUR",
    )
    assert payment.gateway_reference.startswith("ch_")
    assert status_of(order.id, shopper) == "paid"
    [charge] = gateway.charges.values()
    assert (charge.amount, charge.id) == (Decimal("25.00"), payment.gateway_reference)


def test_a_decline_says_why_and_the_order_can_be_paid_again(shopper, order, gateway):
    with pytest.raises(PaymentDeclined) as caught:
        pay(shopper, order.id, "tok_chargeDeclinedInsufficientFunds")
    assert caught.value.details["reason"] == "insufficient_funds"
    assert status_of(order.id, shopper) == "awaiting_payment"
    assert pay(shopper, order.id).status == "succeeded"
    assert [p["status"] for p in payments_of_order(actor=shopper, order_id=order.id)] == [
        "declined",
        "succeeded",
    ]
    assert len(gateway.charges) == 1


def test_an_unavailable_provider_charges_nothing_and_records_nothing_as_paid(
    shopper, order, gateway
):
    with pytest.raises(PaymentProviderUnavailable):
        pay(shopper, order.id, "tok_providerDown")
    assert status_of(order.id, shopper) == "awaiting_payment"
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert gateway.charges == {}
    assert pay(shopper, order.id).status == "succeeded"


def test_a_paid_canceled_or_expired_order_cannot_be_paid(shopper, order, make_product, settings):
    pay(shopper, order.id)
    with pytest.raises(OrderNotPayable):
        pay(shopper, order.id)
    other = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    order_cancel(actor=shopper, data=OrderRef(order_id=other.id))
    with pytest.raises(OrderNotPayable) as caught:
        pay(shopper, other.id)
    assert caught.value.details == {"status": "canceled"}


def test_only_the_owner_pays(other_shopper, merchant, order):
    for stranger in (other_shopper, merchant):
        with pytest.raises(OrderNotFound) as caught:
            pay(stranger, order.id)
        assert caught.value.as_body()["error"] == {
            "code": "order_not_found",
            "message": "There is no such order.",
        }


@pytest.mark.parametrize("token", ["", "visa", "tok_" + "x" * 200, "tok_<script>"])
def test_card_tokens_are_validated(order, token):
    with pytest.raises(InvalidInput) as caught:
        validate_input(NewPayment, {"order_id": order.id, "card_token": token})
    assert "card_token" in caught.value.fields


def test_a_payment_in_flight_blocks_a_second_payment_a_change_and_a_cancel(shopper, order):
    # the state between recording the payment and hearing from the gateway
    Payment.objects.create(
        payable_kind="order",
        payable_id=order.id,
        owner=shopper,
        amount=Decimal("25.00"),
        currency="EUR",
    )
    with pytest.raises(PaymentInProgress):
        pay(shopper, order.id)
    with pytest.raises(PaymentInProgress):
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    with pytest.raises(PaymentInProgress):
        order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=1))


def test_canceling_a_paid_order_refunds_it_and_gives_the_stock_back(
    shopper, order, gateway, django_capture_on_commit_callbacks
):
    product_id = order.lines[0].product_id
    payment = pay(shopper, order.id)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert gateway.refunds == {}  # never from inside the cancellation's transaction
    assert Payment.objects.get(pk=payment.id).status == PaymentStatus.REFUND_PENDING
    for callback in after_commit:
        callback()
    assert status_of(order.id, shopper) == "canceled"
    assert products_by_ids([product_id])[product_id].stock == 10
    refunded = Payment.objects.get(pk=payment.id)
    assert refunded.status == PaymentStatus.REFUNDED
    [refund] = gateway.refunds.values()
    assert (refund.charge_id, refund.amount) == (payment.gateway_reference, Decimal("25.00"))


def test_a_refund_that_fails_stays_pending_and_is_retried(
    shopper, order, gateway, django_capture_on_commit_callbacks
):
    payment = pay(shopper, order.id)
    gateway.refunds_unavailable = True
    with django_capture_on_commit_callbacks(execute=True):
        # the refund task fails after the commit; the cancellation itself stands
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    assert status_of(order.id, shopper) == "canceled"
    assert Payment.objects.get(pk=payment.id).status == PaymentStatus.REFUND_PENDING
    assert payment_retry_refunds().still_pending == [payment.id]
    gateway.refunds_unavailable = False
    assert payment_retry_refunds().refunded == [payment.id]
    assert Payment.objects.get(pk=payment.id).status == PaymentStatus.REFUNDED
    # running the refund again refunds nothing more
    payment_refund(data=PaymentRef(payment_id=payment.id))
    assert len(gateway.refunds) == 1


def test_a_shipped_order_can_no_longer_be_canceled(shopper, merchant, order):
    from apps.ordering.services import order_ship

    pay(shopper, order.id)
    order_ship(actor=merchant, data=OrderRef(order_id=order.id))
    with pytest.raises(IllegalTransition):
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))


def age(order_id, minutes):
    Order.objects.filter(pk=order_id).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_unpaid_orders_expire_and_their_stock_comes_back(shopper, order, make_product, settings):
    settings.AGORA_ORDER_PAYMENT_MINUTES = 30
    product_id = order.lines[0].product_id
    fresh = order_place(actor=shopper, data=NewOrder(product_id=product_id, quantity=1))
    paid = order_place(actor=shopper, data=NewOrder(product_id=product_id, quantity=1))
    pay(shopper, paid.id)
    for old in (order.id, paid.id):
        age(old, 31)
    age(fresh.id, 29)
    assert order_expire_unpaid().expired == [order.id]
    assert status_of(order.id, shopper) == "expired"
    assert (status_of(fresh.id, shopper), status_of(paid.id, shopper)) == (
        "awaiting_payment",
        "paid",
    )
    assert products_by_ids([product_id])[product_id].stock == 8
    assert order_expire_unpaid().expired == []  # nothing twice
    with pytest.raises(OrderNotPayable):
        pay(shopper, order.id)


def test_an_order_with_a_payment_in_flight_does_not_expire(shopper, order):
    Payment.objects.create(
        payable_kind="order",
        payable_id=order.id,
        owner=shopper,
        amount=Decimal("25.00"),
        currency="EUR",
    )
    age(order.id, 120)
    assert order_expire_unpaid().expired == []


def test_the_expiry_job_is_for_the_system_only(shopper):
    from servicelayer.errors import Forbidden

    with pytest.raises(Forbidden):
        spec_of(order_expire_unpaid).call(actor=shopper)
