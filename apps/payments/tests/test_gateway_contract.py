"""The gateway contract: one suite, run against the dummy gateway and the Stripe adapter (on
a fake Stripe served through respx), so the two cannot drift. See apps/payments/gateways.py."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.ordering.dto import NewOrder
from apps.ordering.selectors import order_get
from apps.ordering.services import order_place
from apps.payments.dto import NewPayment, PaymentRef, ProviderEventIn, RefundRef
from apps.payments.errors import (
    CardTokenInvalid,
    PaymentDeclined,
    PaymentProviderUnavailable,
    RefundExceedsCaptured,
)
from apps.payments.gateways import DummyGateway, GatewayDeclined, get_gateway
from apps.payments.models import Payment, Refund
from apps.payments.payables import ORDER
from apps.payments.services import (
    payment_pay,
    payment_refund,
    payment_refund_send,
    payment_settle_provider_event,
    payment_settle_stale,
    refund_payable,
    refund_payable_part,
)
from apps.payments.tests.fake_stripe import FakeStripe


class Provider:
    """What a contract test needs of a provider besides the gateway: its name, and the
    customer finishing a 3-D Secure authentication."""

    name = "dummy"

    def complete_action(self, payment: Payment, *, succeeded: bool) -> None:
        DummyGateway().complete_action(payment.charge_reference, succeeded=succeeded)


class StripeProvider(Provider):
    name = "stripe"

    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake

    def complete_action(self, payment: Payment, *, succeeded: bool) -> None:
        self.fake.complete_action(payment.gateway_reference, succeeded=succeeded)


@pytest.fixture(params=["dummy", "stripe"])
def provider(request: pytest.FixtureRequest) -> Provider:
    if request.param == "stripe":
        return StripeProvider(request.getfixturevalue("fake_stripe"))
    return Provider()


@pytest.fixture
def order(shopper: Any, make_product: Any) -> Any:
    product = make_product(price="12.50", stock=10)
    return order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))


def pay(user: Any, order_id: int, token: str = "tok_visa") -> Any:
    return payment_pay(actor=user, data=NewPayment(order_id=order_id, card_token=token))


def status_of(order_id: int, user: Any) -> str:
    return str(order_get(actor=user, order_id=order_id)["status"])


@pytest.mark.parametrize("token", ["tok_visa", "tok_mastercard", "pm_card_visa"])
def test_a_good_card_is_charged_the_total(provider, shopper, order, token):
    payment = pay(shopper, order.id, token)
    assert (payment.status, payment.amount) == ("succeeded", Decimal("25.00"))
    assert payment.gateway_reference
    assert status_of(order.id, shopper) == "paid"
    charge = get_gateway().find_charge(f"agora-payment-{payment.id}")
    assert charge is not None
    assert (charge.id, charge.amount) == (payment.gateway_reference, Decimal("25.00"))


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("tok_chargeDeclined", "card_declined"),
        ("tok_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
def test_a_declined_card_is_a_402_with_its_reason(provider, shopper, order, token, reason):
    with pytest.raises(PaymentDeclined) as declined:
        pay(shopper, order.id, token)
    assert declined.value.details["reason"] == reason
    assert Payment.objects.get().status == "declined"
    assert status_of(order.id, shopper) == "awaiting_payment"
    assert pay(shopper, order.id).status == "succeeded"  # another card may pay


@pytest.mark.parametrize("token", ["tok_unknown", "pm_card_nonsense"])
def test_an_unknown_card_token_is_refused_and_nothing_is_charged(provider, shopper, order, token):
    with pytest.raises(CardTokenInvalid) as refused:
        pay(shopper, order.id, token)
    assert refused.value.details["reason"] == "resource_missing"
    payment = Payment.objects.get()
    assert payment.status == "failed"
    assert get_gateway().find_charge(payment.charge_reference) is None


def test_a_provider_that_is_down_charges_nothing(provider, shopper, order):
    with pytest.raises(PaymentProviderUnavailable):
        pay(shopper, order.id, "tok_providerDown")
    payment = Payment.objects.get()
    assert payment.status == "failed"
    assert get_gateway().find_charge(payment.charge_reference) is None
    assert pay(shopper, order.id).status == "succeeded"


def test_a_timeout_leaves_the_payment_processing_until_the_lookup_settles_it(
    provider, shopper, order
):
    payment = pay(shopper, order.id, "tok_providerTimeout")
    assert payment.status == "processing"
    assert status_of(order.id, shopper) == "awaiting_payment"
    Payment.objects.update(created_at=timezone.now() - timedelta(seconds=121))
    settled = payment_settle_stale()
    assert settled.succeeded == [payment.id]
    assert Payment.objects.get().status == "succeeded"
    assert status_of(order.id, shopper) == "paid"


def test_a_repeated_reference_is_one_charge(provider, shopper, order):
    gateway = get_gateway()
    first = gateway.charge(
        amount=Decimal("25.00"), currency="EUR", token="tok_visa", reference="agora-payment-9"
    )
    again = gateway.charge(
        amount=Decimal("25.00"), currency="EUR", token="tok_visa", reference="agora-payment-9"
    )
    assert first.id == again.id
    assert gateway.find_charge("agora-payment-9") == first


def test_a_declined_reference_stays_declined_when_repeated(provider, db):
    gateway = get_gateway()
    for _ in range(2):
        with pytest.raises(GatewayDeclined):
            gateway.charge(
                amount=Decimal("5.00"),
                currency="EUR",
                token="tok_chargeDeclined",
                reference="agora-payment-7",
            )
    assert gateway.find_charge("agora-payment-7") is None


def test_refunds_whole_and_partial_each_once_per_reference(provider, db):
    gateway = get_gateway()
    charge = gateway.charge(
        amount=Decimal("30.00"), currency="EUR", token="tok_visa", reference="agora-payment-1"
    )
    part = gateway.refund(charge_id=charge.id, amount=Decimal("10.00"), reference="r-part")
    again = gateway.refund(charge_id=charge.id, amount=Decimal("10.00"), reference="r-part")
    rest = gateway.refund(charge_id=charge.id, amount=Decimal("20.00"), reference="r-rest")
    assert part == again
    assert (part.amount, rest.amount) == (Decimal("10.00"), Decimal("20.00"))
    assert part.id != rest.id
    assert not part.pending


def authenticated_event(payment: Payment, kind: str, number: int = 1) -> ProviderEventIn:
    return ProviderEventIn(
        event_id=f"evt_{payment.pk}_{number}",
        type=kind,
        charge_id=payment.gateway_reference,
        reference=payment.charge_reference,
        decline_reason="" if kind.endswith("succeeded") else "authentication_failed",
    )


def test_a_card_that_needs_authentication_waits_for_the_providers_event(provider, shopper, order):
    payment = pay(shopper, order.id, "tok_threeDSecure2Required")
    assert payment.status == "requires_action"
    assert payment.client_secret
    with pytest.raises(Exception, match="being processed"):
        pay(shopper, order.id)  # one payment in flight at a time
    row = Payment.objects.get()
    provider.complete_action(row, succeeded=True)
    event = authenticated_event(row, "payment_intent.succeeded")
    assert payment_settle_provider_event(data=event).handled
    assert not payment_settle_provider_event(data=event).handled  # once per event id
    row.refresh_from_db()
    assert (row.status, row.client_secret) == ("succeeded", "")
    assert status_of(order.id, shopper) == "paid"


def test_a_failed_authentication_declines_the_payment(provider, shopper, order):
    pay(shopper, order.id, "tok_threeDSecure2Required")
    row = Payment.objects.get()
    provider.complete_action(row, succeeded=False)
    payment_settle_provider_event(data=authenticated_event(row, "payment_intent.payment_failed"))
    row.refresh_from_db()
    assert (row.status, row.decline_reason) == ("declined", "authentication_failed")
    assert status_of(order.id, shopper) == "awaiting_payment"


def test_a_stale_payment_awaiting_authentication_is_left_to_the_webhook(provider, shopper, order):
    payment = pay(shopper, order.id, "tok_threeDSecure2Required")
    Payment.objects.update(status="processing", created_at=timezone.now() - timedelta(hours=1))
    assert payment_settle_stale().unresolved == [payment.id]
    assert Payment.objects.get().status == "requires_action"


def test_partial_refunds_through_payments_never_exceed_the_charge(provider, shopper, order):
    """Through the service: each refund keyed and sent with its own reference, the amount
    given back tracked on the payment, and more than what is left refused."""
    payment = pay(shopper, order.id)
    with transaction.atomic():
        assert refund_payable_part(ORDER, order.id, Decimal("10.00"), key="a") == Decimal("10.00")
        assert refund_payable_part(ORDER, order.id, Decimal("10.00"), key="a") == Decimal("10.00")
        with pytest.raises(RefundExceedsCaptured):
            refund_payable_part(ORDER, order.id, Decimal("15.01"), key="b")
    for refund in Refund.objects.order_by("id"):
        assert payment_refund_send(data=RefundRef(refund_id=refund.pk)).status == "succeeded"
    row = Payment.objects.get(pk=payment.id)
    assert (row.status, row.amount_refunded) == ("succeeded", Decimal("10.00"))
    (refund,) = Refund.objects.all()
    assert refund.provider_reference
    # a whole refund afterwards gives back only what is left
    with transaction.atomic():
        refund_payable(ORDER, order.id)
    assert payment_refund(data=PaymentRef(payment_id=payment.id)).amount_refunded == Decimal(
        "25.00"
    )
    with transaction.atomic(), pytest.raises(RefundExceedsCaptured):
        refund_payable_part(ORDER, order.id, Decimal("0.01"), key="c")


def test_an_amount_below_the_providers_least_charge_is_a_422_and_nothing_is_stuck(
    provider, api, shopper, make_product
):
    """Review finding: Stripe's `amount_too_small` answered 500 and left the payment
    processing."""
    product = make_product(price="0.30", stock=10)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))
    answer = api(shopper).post(
        f"/api/orders/{order.id}/payments/", {"card_token": "tok_visa"}, format="json"
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        422,
        "payment_amount_too_small",
    )
    assert [p.status for p in Payment.objects.all()] == ["failed"]
    assert status_of(order.id, shopper) == "awaiting_payment"
