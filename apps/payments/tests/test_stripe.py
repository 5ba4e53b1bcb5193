"""What only the Stripe adapter meets: Stripe's rate limit and its 500s, the 202 answers over
REST, and its signed webhook (no network: the fake Stripe of fake_stripe.py)."""

import json
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import stripe
from django.utils import timezone

from apps.ordering.dto import NewOrder
from apps.ordering.selectors import order_get
from apps.ordering.services import order_place
from apps.payments.models import Payment, ProviderEvent
from apps.payments.services import payment_settle_stale

SECRET = "whsec_test_secret"
WEBHOOK = "/api/payments/webhooks/stripe/"


@pytest.fixture
def order(shopper: Any, make_product: Any) -> Any:
    product = make_product(price="12.50", stock=10)
    return order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))


@pytest.fixture(autouse=True)
def _webhook_secret(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = SECRET


def pay_over_rest(api: Any, user: Any, order_id: int, token: str) -> Any:
    return api(user).post(f"/api/orders/{order_id}/payments/", {"card_token": token}, format="json")


def status_of(order_id: int, user: Any) -> str:
    return str(order_get(actor=user, order_id=order_id)["status"])


def test_a_rate_limit_is_a_503_and_charges_nothing(fake_stripe, api, shopper, order):
    fake_stripe.next_answer = httpx.Response(
        429, json={"error": {"type": "invalid_request_error", "code": "rate_limit"}}
    )
    response = pay_over_rest(api, shopper, order.id, "tok_visa")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payment_provider_unavailable"
    assert Payment.objects.get().status == "failed"


def test_a_500_from_stripe_leaves_the_payment_processing(fake_stripe, api, shopper, order):
    fake_stripe.next_answer = httpx.Response(500, json={"error": {"type": "api_error"}})
    response = pay_over_rest(api, shopper, order.id, "tok_visa")
    assert response.status_code == 202
    assert response.json()["status"] == "processing"
    Payment.objects.update(created_at=timezone.now() - timedelta(seconds=121))
    # Stripe never got to charge it: the lookup finds nothing and the order is free again
    assert payment_settle_stale().failed == [response.json()["id"]]


def test_a_card_needing_authentication_is_a_202_with_the_client_secret(
    fake_stripe,
    api,
    shopper,
    order,
):
    response = pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "requires_action"
    assert body["client_secret"] == f"{body['gateway_reference']}_secret_fake"


def signed(event: dict[str, Any], *, timestamp: int | None = None, secret: str = SECRET) -> Any:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return payload, header


def post_event(client: Any, payload: str, header: str | None) -> Any:
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post(WEBHOOK, payload, content_type="application/json", **extra)


def succeeded_event(fake: Any, payment: Payment, event_id: str = "evt_1") -> dict[str, Any]:
    intent = fake.complete_action(payment.gateway_reference, succeeded=True)
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": intent},
    }


def test_the_webhook_settles_an_authenticated_payment_once(
    fake_stripe,
    api,
    client,
    shopper,
    order,
):
    pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    payment = Payment.objects.get()
    payload, header = signed(succeeded_event(fake_stripe, payment))
    first = post_event(client, payload, header)
    assert first.status_code == 200, first.content
    assert first.json() == {"event_id": "evt_1", "handled": True, "payment_id": payment.pk}
    assert status_of(order.id, shopper) == "paid"
    again = post_event(client, payload, header)  # Stripe delivers at least once
    assert (again.status_code, again.json()["handled"]) == (200, False)
    assert ProviderEvent.objects.count() == 1


@pytest.mark.parametrize(
    "how", ["no signature", "wrong secret", "stale", "tampered", "garbage header"]
)
def test_a_bad_or_stale_signature_is_a_400_and_changes_nothing(
    fake_stripe,
    api,
    client,
    shopper,
    order,
    how,
):
    pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    payment = Payment.objects.get()
    event = succeeded_event(fake_stripe, payment)
    payload, header = signed(event)
    if how == "no signature":
        header = ""
    elif how == "wrong secret":
        payload, header = signed(event, secret="whsec_other")
    elif how == "stale":
        payload, header = signed(event, timestamp=int(time.time()) - 301)
    elif how == "tampered":
        payload = payload.replace("evt_1", "evt_2")
    else:
        header = "t=abc,v1"
    response = post_event(client, payload, header)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_signature_invalid"
    assert Payment.objects.get().status == "requires_action"
    assert not ProviderEvent.objects.exists()


def test_a_signed_body_that_is_no_event_is_a_400(client, db):
    payload, header = signed({"type": "payment_intent.succeeded"})  # no id
    response = post_event(client, payload, header)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_event_about_nothing_of_ours_is_acknowledged(client, db):
    event = {"id": "evt_9", "type": "customer.created", "data": {"object": {"object": "customer"}}}
    response = post_event(client, *signed(event))
    assert response.status_code == 200
    assert response.json()["handled"] is False


def test_a_failed_payment_event_declines_with_the_reason(
    fake_stripe,
    api,
    client,
    shopper,
    order,
):
    pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    payment = Payment.objects.get()
    intent = fake_stripe.complete_action(payment.gateway_reference, succeeded=False)
    event = {"id": "evt_f", "type": "payment_intent.payment_failed", "data": {"object": intent}}
    assert post_event(client, *signed(event)).json()["handled"] is True
    payment.refresh_from_db()
    assert (payment.status, payment.decline_reason) == (
        "declined",
        "payment_intent_authentication_failure",
    )


def test_a_success_reported_after_a_failure_still_pays_the_order(
    fake_stripe, api, client, shopper, order
):
    # the customer retried 3-D Secure on the same PaymentIntent after its failure was reported
    pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    payment = Payment.objects.get()
    intent = fake_stripe.complete_action(payment.gateway_reference, succeeded=False)
    failed = {"id": "evt_f", "type": "payment_intent.payment_failed", "data": {"object": intent}}
    post_event(client, *signed(failed))
    payment.refresh_from_db()
    assert payment.status == "declined"
    late = post_event(client, *signed(succeeded_event(fake_stripe, payment, "evt_s")))
    assert late.json()["handled"] is True
    assert status_of(order.id, shopper) == "paid"  # the money came: it is not lost


def test_a_payment_never_authenticated_is_given_up_and_frees_its_order(
    fake_stripe, api, client, shopper, order, settings
):
    settings.PAYMENT_ACTION_TIMEOUT_SECONDS = 3600
    pay_over_rest(api, shopper, order.id, "tok_threeDSecure2Required")
    payment = Payment.objects.get()
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=30))
    assert payment_settle_stale().failed == []  # still time to authenticate
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert payment_settle_stale().failed == [payment.pk]
    payment.refresh_from_db()
    assert (payment.status, payment.decline_reason) == ("failed", "authentication_abandoned")
    assert status_of(order.id, shopper) == "awaiting_payment"
    # the order is free again: another card pays it
    assert pay_over_rest(api, shopper, order.id, "tok_visa").status_code == 201


def test_a_partial_refund_stripe_finishes_later_is_settled_by_its_webhook(
    fake_stripe, client, shopper, order
):
    from django.db import transaction

    from apps.payments.dto import NewPayment, RefundRef
    from apps.payments.models import Refund
    from apps.payments.payables import ORDER
    from apps.payments.services import payment_pay, payment_refund_send, refund_payable_part

    payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))
    fake_stripe.refund_status = "pending"
    with transaction.atomic():
        refund_payable_part(ORDER, order.id, Decimal("5.00"), key="goodwill")
    refund = Refund.objects.get()
    sent = payment_refund_send(data=RefundRef(refund_id=refund.pk))
    assert (sent.status, sent.provider_reference) == ("pending", next(iter(fake_stripe.refunds)))
    stripe_refund = {**fake_stripe.refunds[sent.provider_reference], "status": "succeeded"}
    event = {
        "id": "evt_refund",
        "object": "event",
        "type": "refund.updated",
        "data": {"object": stripe_refund},
    }
    answer = post_event(client, *signed(event))
    assert answer.json() == {
        "event_id": "evt_refund",
        "handled": True,
        "payment_id": refund.payment_id,
    }
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert Payment.objects.get().amount_refunded == Decimal("5.00")
