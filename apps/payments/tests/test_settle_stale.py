"""A worker killed while paying leaves a `processing` payment that blocks its order; the
payment_settle_stale job asks the gateway by reference and settles it."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import NewOrder, OrderLineCount, OrderRef
from apps.ordering.models import Order
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    order_cancel,
    order_change_quantity,
    order_expire_unpaid,
    order_place,
)
from apps.payments.dto import NewPayment
from apps.payments.errors import PaymentInProgress, PaymentProviderUnavailable
from apps.payments.gateways import DummyGateway
from apps.payments.models import Payment, PaymentStatus
from apps.payments.services import payment_pay, payment_settle_stale
from conftest import client_for
from servicelayer.errors import Forbidden
from servicelayer.idempotency import request_fingerprint
from servicelayer.models import IdempotencyRecord
from servicelayer.registry import spec_of


@pytest.fixture(autouse=True)
def _settle_after(settings):
    settings.PAYMENT_SETTLE_AFTER_SECONDS = 120
    settings.AGORA_ORDER_PAYMENT_MINUTES = 30


@pytest.fixture
def order(shopper, make_product):
    product = make_product(price="12.50", stock=10)
    return order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))


def pay(user, order_id, token="tok_visa"):
    return payment_pay(actor=user, data=NewPayment(order_id=order_id, card_token=token))


def crash_at_the_gateway(monkeypatch, user, order_id, *, charged):
    """Pay, and die at the gateway as a killed worker would: once the provider has taken the
    money (charged), or before it did. SystemExit escapes everything a service catches."""
    real_charge = DummyGateway.charge

    def charge_and_die(self, **kwargs):
        if charged:
            real_charge(self, **kwargs)
        raise SystemExit("killed at the gateway")

    with monkeypatch.context() as patch:
        patch.setattr(DummyGateway, "charge", charge_and_die)
        with pytest.raises(SystemExit):
            pay(user, order_id)
    return Payment.objects.get(
        payable_kind="order", payable_id=order_id, status=PaymentStatus.PROCESSING
    )


def grow_stale(payment_id):
    """As if the worker had died more than PAYMENT_SETTLE_AFTER_SECONDS ago."""
    Payment.objects.filter(pk=payment_id).update(created_at=timezone.now() - timedelta(seconds=121))


def age_order(order_id, minutes=31):
    Order.objects.filter(pk=order_id).update(created_at=timezone.now() - timedelta(minutes=minutes))


def status_of(order_id, user):
    return order_get(actor=user, order_id=order_id)["status"]


def stock_of(order):
    product_id = order.lines[0].product_id
    return products_by_ids([product_id])[product_id].stock


def assert_stuck(user, order):
    """What a processing payment does to its order: everything waits for it."""
    with pytest.raises(PaymentInProgress):
        pay(user, order.id)
    with pytest.raises(PaymentInProgress):
        order_cancel(actor=user, data=OrderRef(order_id=order.id))
    with pytest.raises(PaymentInProgress):
        order_change_quantity(actor=user, data=OrderLineCount(order_id=order.id, quantity=1))
    age_order(order.id)
    assert order_expire_unpaid().expired == []
    assert status_of(order.id, user) == "awaiting_payment"
    assert stock_of(order) == 8


def test_a_charge_made_before_the_worker_died_pays_the_order(monkeypatch, shopper, order, gateway):
    payment = crash_at_the_gateway(monkeypatch, shopper, order.id, charged=True)
    assert_stuck(shopper, order)
    grow_stale(payment.pk)

    settled = payment_settle_stale()

    assert (settled.succeeded, settled.failed, settled.refunded) == ([payment.pk], [], [])
    [charge] = gateway.charges.values()
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_reference) == (PaymentStatus.SUCCEEDED, charge.id)
    assert status_of(order.id, shopper) == "paid"
    assert stock_of(order) == 8
    assert payment_settle_stale().succeeded == []  # settled once
    assert len(gateway.charges) == 1


@pytest.mark.parametrize("then", ["pay", "cancel", "change", "expire"])
def test_a_payment_the_gateway_never_charged_fails_and_frees_the_order(
    monkeypatch, shopper, order, gateway, then
):
    payment = crash_at_the_gateway(monkeypatch, shopper, order.id, charged=False)
    assert_stuck(shopper, order)
    grow_stale(payment.pk)

    settled = payment_settle_stale()

    assert (settled.succeeded, settled.failed, settled.refunded) == ([], [payment.pk], [])
    payment.refresh_from_db()
    assert (payment.status, payment.decline_reason) == (PaymentStatus.FAILED, "abandoned")
    assert gateway.charges == {}
    assert status_of(order.id, shopper) == "awaiting_payment"
    if then == "pay":
        assert pay(shopper, order.id).status == "succeeded"
        assert (status_of(order.id, shopper), len(gateway.charges)) == ("paid", 1)
    elif then == "cancel":
        order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
        assert (status_of(order.id, shopper), stock_of(order)) == ("canceled", 10)
    elif then == "change":
        changed = order_change_quantity(
            actor=shopper, data=OrderLineCount(order_id=order.id, quantity=1)
        )
        assert (changed.total, stock_of(order)) == (Decimal("12.50"), 9)
    else:
        assert order_expire_unpaid().expired == [order.id]  # aged by assert_stuck
        assert (status_of(order.id, shopper), stock_of(order)) == ("expired", 10)
    assert payment_settle_stale().failed == []


def test_a_payment_younger_than_the_threshold_is_left_to_its_worker(monkeypatch, shopper, order):
    payment = crash_at_the_gateway(monkeypatch, shopper, order.id, charged=False)
    settled = payment_settle_stale()
    assert (settled.failed, settled.unresolved) == ([], [])
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PROCESSING


def test_a_provider_that_cannot_tell_leaves_the_payment_for_the_next_run(
    monkeypatch, shopper, order, gateway
):
    payment = crash_at_the_gateway(monkeypatch, shopper, order.id, charged=True)
    grow_stale(payment.pk)
    gateway.lookups_unavailable = True
    assert payment_settle_stale().unresolved == [payment.pk]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PROCESSING
    gateway.lookups_unavailable = False
    assert payment_settle_stale().succeeded == [payment.pk]
    assert status_of(order.id, shopper) == "paid"


def test_a_charge_whose_order_can_no_longer_be_paid_is_refunded(
    monkeypatch, shopper, order, gateway, django_capture_on_commit_callbacks
):
    payment = crash_at_the_gateway(monkeypatch, shopper, order.id, charged=True)
    grow_stale(payment.pk)
    Order.objects.filter(pk=order.id).update(status="canceled")  # cannot happen; be safe anyway

    with django_capture_on_commit_callbacks(execute=True):
        settled = payment_settle_stale()

    assert (settled.succeeded, settled.refunded) == ([], [payment.pk])
    payment.refresh_from_db()
    [charge] = gateway.charges.values()
    [refund] = gateway.refunds.values()
    assert (payment.status, payment.gateway_reference) == (PaymentStatus.REFUNDED, charge.id)
    assert (refund.charge_id, refund.amount) == (charge.id, Decimal("25.00"))
    assert status_of(order.id, shopper) == "canceled"


def given_up_while_at_the_gateway(monkeypatch, settings, then=None):
    """The worker stalls at the gateway past the threshold: the job runs meanwhile, finds no
    charge and gives the payment up; `then` runs next; then the charge goes through."""
    settings.PAYMENT_SETTLE_AFTER_SECONDS = 0
    real_charge = DummyGateway.charge
    seen: dict[str, Any] = {}

    def slow_charge(self, **kwargs):
        if not seen:
            seen["settled"] = payment_settle_stale()
            if then is not None:
                then()
        return real_charge(self, **kwargs)

    monkeypatch.setattr(DummyGateway, "charge", slow_charge)
    return seen


def test_a_charge_that_comes_back_after_the_payment_was_given_up_still_pays_a_free_order(
    monkeypatch, settings, shopper, order, gateway
):
    seen = given_up_while_at_the_gateway(monkeypatch, settings)
    payment = pay(shopper, order.id)
    assert seen["settled"].failed == [payment.id]
    assert (payment.status, payment.decline_reason) == ("succeeded", "")
    assert status_of(order.id, shopper) == "paid"
    assert len(gateway.charges) == 1


def test_a_charge_that_comes_back_after_another_payment_paid_the_order_is_refunded(
    monkeypatch, settings, shopper, order, gateway, django_capture_on_commit_callbacks
):
    def pay_again():
        pay(shopper, order.id, "tok_mastercard")

    seen = given_up_while_at_the_gateway(monkeypatch, settings, then=pay_again)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PaymentProviderUnavailable) as caught,
    ):
        pay(shopper, order.id)
    late = Payment.objects.get(pk=caught.value.details["payment_id"])
    assert seen["settled"].failed == [late.pk]
    assert late.status == PaymentStatus.REFUNDED
    other = Payment.objects.get(status=PaymentStatus.SUCCEEDED)
    assert status_of(order.id, shopper) == "paid"
    assert len(gateway.charges) == 2
    [refund] = gateway.refunds.values()
    assert refund.charge_id == late.gateway_reference != other.gateway_reference


def test_a_retry_with_the_original_key_is_not_told_for_good_that_a_payment_is_in_progress(
    shopper, order, gateway
):
    """The key's lease ran out while the payment was stuck: the 409 is an answer for now,
    not the key's final answer; once the job has settled the payment, the retry pays."""
    url = f"/api/orders/{order.id}/payments/"
    Payment.objects.create(  # the killed worker's payment, never charged
        payable_kind="order",
        payable_id=order.id,
        owner=shopper,
        amount=Decimal("25.00"),
        currency="EUR",
    )
    IdempotencyRecord.objects.create(  # the killed worker's claim, its lease run out
        user=shopper,
        key="pay-1",
        request_hash=request_fingerprint(
            "POST", url, {"card_token": "tok_visa", "order_id": order.id}
        ),
        locked_until=timezone.now() - timedelta(seconds=1),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    client = client_for(shopper)

    def retry():
        return client.post(
            url, {"card_token": "tok_visa"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
        )

    stuck = retry()
    assert (stuck.status_code, stuck.json()["error"]["code"]) == (409, "payment_in_progress")
    assert not IdempotencyRecord.objects.exists()
    Payment.objects.update(created_at=timezone.now() - timedelta(seconds=121))
    assert len(payment_settle_stale().failed) == 1
    paid = retry()
    assert (paid.status_code, paid.json()["status"]) == (201, "succeeded")
    assert "Idempotent-Replayed" not in paid
    replay = retry()
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert status_of(order.id, shopper) == "paid"


def test_the_settling_job_is_for_the_system_only(shopper):
    with pytest.raises(Forbidden):
        spec_of(payment_settle_stale).call(actor=shopper)


def test_a_payment_in_progress_is_a_transient_answer():
    assert PaymentInProgress.transient
