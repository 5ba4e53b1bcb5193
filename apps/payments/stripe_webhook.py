"""Stripe's webhook, `POST /api/payments/webhooks/stripe/`: a delivery, translation only.

The raw body and its `Stripe-Signature` header are checked by the stripe library against
STRIPE_WEBHOOK_SECRET (a wrong, missing or older-than-five-minutes signature is a 400 and
changes nothing), then the event is reduced to what settles a payment and handed to the
SYSTEM service payment_settle_provider_event, which handles each event id once. No user signs
in here (Stripe signs instead) and it is no client API, so it stays out of the schema; the
general throttles apply as everywhere.
"""

import json
from typing import Any

import stripe
from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.payments.dto import ProviderEventIn
from apps.payments.errors import WebhookSignatureInvalid
from apps.payments.services import payment_settle_provider_event
from servicelayer.errors import InvalidInput


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def provider_event(event: dict[str, Any]) -> ProviderEventIn:
    """What of a Stripe event settles a payment: the PaymentIntent's id and our reference
    (its metadata), a refund's id and status, a decline's reason."""
    obj = event.get("data", {}).get("object", {})
    if not isinstance(obj, dict):
        obj = {}
    kind = _text(obj.get("object"))
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    fields: dict[str, str] = {}
    if kind == "payment_intent":
        error = obj.get("last_payment_error") or {}
        fields["charge_id"] = _text(obj.get("id"))
        fields["reference"] = _text(metadata.get("reference"))
        if isinstance(error, dict):
            fields["decline_reason"] = _text(error.get("decline_code")) or _text(error.get("code"))
    elif kind == "charge":  # charge.refunded: the charge names its PaymentIntent
        fields["charge_id"] = _text(obj.get("payment_intent"))
    elif kind == "refund":
        fields["charge_id"] = _text(obj.get("payment_intent"))
        fields["refund_id"] = _text(obj.get("id"))
        fields["refund_status"] = _text(obj.get("status"))
    return ProviderEventIn(
        event_id=_text(event.get("id")),
        type=_text(event.get("type")),
        **{name: value[:100] for name, value in fields.items()},
    )


@extend_schema(exclude=True)
class StripeWebhookView(APIView):
    authentication_classes: list[Any] = []  # Stripe signs the body instead; no CSRF either

    def post(self, request: Request) -> Response:
        payload = request.body
        try:
            stripe.WebhookSignature.verify_header(
                payload,
                request.headers.get("Stripe-Signature"),
                settings.STRIPE_WEBHOOK_SECRET,
                stripe.Webhook.DEFAULT_TOLERANCE,
            )
        except stripe.SignatureVerificationError:
            raise WebhookSignatureInvalid() from None
        try:
            event = json.loads(payload)
            data = provider_event(event if isinstance(event, dict) else {})
        except ValueError:  # not JSON, or no event id (pydantic's ValidationError is one)
            raise InvalidInput("The webhook's body is not a Stripe event.") from None
        result = payment_settle_provider_event(data=data)
        return Response(result.model_dump())
