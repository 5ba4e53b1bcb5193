"""Payments over REST. Translation only."""

from typing import Any

from django.urls import path

from apps.payments import selectors, services
from apps.payments.stripe_webhook import StripeWebhookView
from servicelayer.rest.routes import Routes


def _accepted_if_unsettled(payment: Any) -> int:
    """202 while the outcome waits for the customer (3-D Secure) or the provider, 201 once
    the payment succeeded."""
    return 202 if payment.status in ("requires_action", "processing") else 201


routes = Routes(tag="payments")
routes.get("orders/<pk:order_id>/payments/", selectors.payments_of_order, name="order-payments")
routes.post(
    "orders/<pk:order_id>/payments/",
    services.payment_pay,
    status=201,
    status_for=_accepted_if_unsettled,
    other_statuses=[202],
    idempotent=True,
)
routes.get(
    "bookings/<pk:booking_id>/payments/", selectors.payments_of_booking, name="booking-payments"
)
routes.post(
    "bookings/<pk:booking_id>/payments/",
    services.payment_pay_booking,
    status=201,
    status_for=_accepted_if_unsettled,
    other_statuses=[202],
    idempotent=True,
)

urlpatterns = [
    *routes.urls(),
    # Stripe's calls, not a client API: signed by Stripe, outside the schema
    path("payments/webhooks/stripe/", StripeWebhookView.as_view(), name="payments-stripe-webhook"),
]
