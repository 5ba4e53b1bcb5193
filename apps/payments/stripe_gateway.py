"""The Stripe gateway (PAYMENT_GATEWAY=stripe): one PaymentIntent per payment.

A charge creates and confirms a PaymentIntent in one call (`confirm=true`) with the card
token (`payment_method_data[card][token]`) or a PaymentMethod id, our reference as Stripe's
idempotency key and in its metadata. A repeated reference is the same request to Stripe (its
idempotency keys last 24 hours, longer than payment_settle_stale waits), and find_charge
searches PaymentIntents by that metadata. Refunds carry their own reference as theirs.

How Stripe's answers map onto the gateway contract (apps/payments/gateways.py):

- 402 `card_error`: declined, with the decline code (or the error code) as the reason;
- 400 `invalid_request_error` about the card (`resource_missing`: an unknown token) or
  `amount_too_small` (below 0.50 EUR): refused; any other 400 is our bug and propagates;
- 429, or a connection that never opened: unavailable, nothing was charged;
- a timeout or a 5xx: the outcome is unknown (Stripe says to treat a 500 as indeterminate),
  so the payment stays `processing` until find_charge settles it;
- `requires_action` (3-D Secure): the charge comes back with its client secret.
"""

from decimal import Decimal
from typing import Any

import httpx
import stripe
from django.conf import settings

from apps.money import minor_unit
from apps.payments.gateways import (
    AMOUNT_TOO_SMALL,
    REQUIRES_ACTION,
    SUCCEEDED,
    Charge,
    GatewayDeclined,
    GatewayOutcomeUnknown,
    GatewayRefused,
    GatewayUnavailable,
    Refund,
)

# Errors that mean "this card token is no good" (or "this amount is below Stripe's least
# charge"), not "our request is wrong".
_REFUSED_CODES = {
    "resource_missing",
    "token_already_used",
    "payment_method_invalid_parameter",
    AMOUNT_TOO_SMALL,
}


def stripe_client(http_client: stripe.HTTPClient | None = None) -> stripe.StripeClient:
    """A client from settings. The library's default HTTP client is requests-based; httpx is
    already ours (and respx serves the tests' fake Stripe through it)."""
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY or "sk_test_unset",
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=http_client or stripe.HTTPXClient(timeout=20, allow_sync_methods=True),
        # retried with the same idempotency key, so a retry is the same request
        max_network_retries=2,
    )


def _to_minor(amount: Decimal, currency: str) -> int:
    return int(amount / minor_unit(currency))


def _from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount) * minor_unit(currency)


def _error_body(error: stripe.StripeError) -> dict[str, Any]:
    body = error.json_body if isinstance(error.json_body, dict) else {}
    found = body.get("error")
    return found if isinstance(found, dict) else {}


def _decline_reason(error: dict[str, Any]) -> str:
    """The decline code, unless it says no more than the error code (`generic_decline`)."""
    decline_code = error.get("decline_code")
    if decline_code and decline_code != "generic_decline":
        return str(decline_code)
    return str(error.get("code") or "card_declined")


def _translate(error: stripe.StripeError) -> Exception:
    """The gateway contract's exception for what Stripe raised (see the module docstring)."""
    if isinstance(error, stripe.CardError):
        return GatewayDeclined(_decline_reason(_error_body(error)))
    if isinstance(error, stripe.InvalidRequestError) and error.code in _REFUSED_CODES:
        return GatewayRefused(str(error.code))
    if isinstance(error, stripe.RateLimitError):
        return GatewayUnavailable("Stripe is rate-limiting us.")
    if isinstance(error, stripe.APIConnectionError):
        cause = error.__cause__
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
            return GatewayUnavailable("Stripe could not be reached.")
        return GatewayOutcomeUnknown("Stripe's answer was lost.")
    if isinstance(error, stripe.APIError):
        return GatewayOutcomeUnknown("Stripe answered with an error of its own.")
    return error


def _charge(intent: Any, currency: str) -> Charge | None:
    """The charge a PaymentIntent stands for, or None if it took no money and will not."""
    status = intent["status"]
    reference = (intent.get("metadata") or {}).get("reference", "")
    amount = _from_minor(intent["amount"], currency)
    if status == "succeeded":
        return Charge(intent["id"], amount, currency, reference, SUCCEEDED)
    if status == "requires_action":
        secret = intent.get("client_secret") or ""
        return Charge(intent["id"], amount, currency, reference, REQUIRES_ACTION, secret)
    if status in ("processing", "requires_capture"):
        raise GatewayOutcomeUnknown(f"The PaymentIntent is {status}.")
    return None  # requires_payment_method (declined), canceled: nothing was taken


class StripeGateway:
    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self.client = client or stripe_client()

    def charge(self, *, amount: Decimal, currency: str, token: str, reference: str) -> Charge:
        method: dict[str, Any] = (
            {"payment_method": token}
            if token.startswith("pm_")
            else {"payment_method_data": {"type": "card", "card": {"token": token}}}
        )
        params: dict[str, Any] = {
            "amount": _to_minor(amount, currency),
            "currency": currency.lower(),
            "confirm": True,
            "metadata": {"reference": reference},
            # cards only, so confirming needs no return_url for redirect-based methods
            "payment_method_types": ["card"],
            **method,
        }
        try:
            intent = self.client.v1.payment_intents.create(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": reference},
            ).to_dict()
        except stripe.StripeError as error:
            raise _translate(error) from error
        charge = _charge(intent, currency)
        if charge is None:  # confirmed yet neither paid nor awaiting the customer: declined
            raise GatewayDeclined(_decline_reason(intent.get("last_payment_error") or {}))
        return charge

    def refund(self, *, charge_id: str, amount: Decimal, reference: str) -> Refund:
        # the currency is the intent's; Stripe wants the amount in its minor unit
        currency = settings.AGORA_CURRENCY
        try:
            refund = self.client.v1.refunds.create(
                {
                    "payment_intent": charge_id,
                    "amount": _to_minor(amount, currency),
                    "metadata": {"reference": reference},
                },
                options={"idempotency_key": reference},
            ).to_dict()
        except stripe.StripeError as error:
            raise _translate(error) from error
        return Refund(
            refund["id"],
            charge_id,
            _from_minor(refund["amount"], currency),
            pending=refund["status"] in ("pending", "requires_action"),
        )

    def find_charge(self, reference: str) -> Charge | None:
        try:
            found = self.client.v1.payment_intents.search(
                {"query": f"metadata['reference']:'{reference}'"}
            ).to_dict()
        except stripe.StripeError as error:
            translated = _translate(error)
            if isinstance(translated, GatewayOutcomeUnknown):  # a read: nothing happened
                raise GatewayUnavailable(str(translated)) from error
            raise translated from error
        for intent in found["data"]:
            return _charge(intent, intent["currency"].upper())
        return None
