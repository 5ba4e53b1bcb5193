"""A fake Stripe API for the tests, served through respx (no network).

Its answers are written from Stripe's documented response shapes (the PaymentIntent, Refund,
Search result and error objects of https://docs.stripe.com/api) and its test tokens
(https://docs.stripe.com/testing): the same tokens the dummy gateway knows, so the gateway
contract runs against both. Like Stripe it replays the stored answer of a repeated
idempotency key, and search finds PaymentIntents by their metadata.
"""

import itertools
import json
import re
from typing import Any
from urllib.parse import parse_qsl

import httpx
import respx

API_BASE = "https://stripe.test"

SUCCEEDS = {"tok_visa", "tok_mastercard", "pm_card_visa", "pm_card_mastercard"}
# token -> (code, decline_code), as Stripe's test tokens decline
DECLINES = {
    "tok_chargeDeclined": ("card_declined", "generic_decline"),
    "pm_card_chargeDeclined": ("card_declined", "generic_decline"),
    "tok_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds"),
}
REQUIRE_ACTION = {"tok_threeDSecure2Required", "pm_card_threeDSecure2Required"}


def _json(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Request-Id": "req_fake"})


def _error(status: int, **error: Any) -> httpx.Response:
    return _json(status, {"error": error})


def form(request: httpx.Request) -> dict[str, str]:
    """The request's form body, keys as Stripe's encoding writes them (`metadata[reference]`)."""
    return dict(parse_qsl(request.content.decode()))


class FakeStripe:
    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self._answers: dict[str, tuple[int, dict[str, Any]]] = {}  # by idempotency key
        self._ids = itertools.count(1)
        # what the next create answers instead (a 429, a 500), for tests of Stripe's failures
        self.next_answer: httpx.Response | None = None
        # what a new refund's status is: "pending" refunds are finished later, by webhook
        self.refund_status = "succeeded"

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):08d}"

    def install(self, router: respx.MockRouter) -> None:
        router.post(f"{API_BASE}/v1/payment_intents").mock(side_effect=self._create_intent)
        router.get(f"{API_BASE}/v1/payment_intents/search").mock(side_effect=self._search)
        router.post(f"{API_BASE}/v1/refunds").mock(side_effect=self._create_refund)

    def _replay_or(self, request: httpx.Request, answer: Any) -> httpx.Response:
        """Stripe's idempotency: a key seen before gets the stored answer again."""
        self.requests.append(request)
        key = request.headers.get("Idempotency-Key", "")
        if key in self._answers:
            status, body = self._answers[key]
            return _json(status, body)
        status, body = answer(form(request))
        if key:
            self._answers[key] = (status, body)
        return _json(status, body)

    def _create_intent(self, request: httpx.Request) -> httpx.Response:
        params = form(request)
        token = params.get("payment_method_data[card][token]") or params.get("payment_method", "")
        if self.next_answer is not None:
            answer, self.next_answer = self.next_answer, None
            return answer
        if token == "tok_providerDown":
            raise httpx.ConnectError("connection refused", request=request)
        response = self._replay_or(request, self._confirm)
        if token == "tok_providerTimeout":  # Stripe charged; its answer never came back
            raise httpx.ReadTimeout("read timed out", request=request)
        return response

    def _confirm(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = params.get("payment_method_data[card][token]") or params.get("payment_method", "")
        known = token in SUCCEEDS | REQUIRE_ACTION | set(DECLINES) | {"tok_providerTimeout"}
        if not known:
            kind = "token" if token.startswith("tok_") else "PaymentMethod"
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "resource_missing",
                    "param": "payment_method_data[card][token]",
                    "message": f"No such {kind}: '{token}'",
                }
            }
        if int(params["amount"]) < 50:  # Stripe's least charge: 0.50 EUR
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "amount_too_small",
                    "param": "amount",
                    "message": "Amount must be at least €0.50 eur",
                }
            }
        intent_id = self._id("pi")
        intent: dict[str, Any] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "client_secret": f"{intent_id}_secret_fake",
            "confirmation_method": "automatic",
            "livemode": False,
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in params.items()
                if key.startswith("metadata[")
            },
            "last_payment_error": None,
            "next_action": None,
            "status": "succeeded",
        }
        self.intents[intent_id] = intent
        if token in DECLINES:
            code, decline_code = DECLINES[token]
            error = {
                "type": "card_error",
                "code": code,
                "decline_code": decline_code,
                "message": "Your card was declined.",
            }
            intent.update(status="requires_payment_method", last_payment_error=error)
            return 402, {"error": {**error, "payment_intent": json.loads(json.dumps(intent))}}
        if token in REQUIRE_ACTION:
            intent.update(
                status="requires_action",
                next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {}},
            )
        else:
            intent["amount_received"] = intent["amount"]
        return 200, intent

    def _search(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query = request.url.params.get("query", "")
        match = re.fullmatch(r"metadata\['reference'\]:'([^']*)'", query)
        assert match, f"the fake searches by metadata only: {query!r}"
        found = [i for i in self.intents.values() if i["metadata"].get("reference") == match[1]]
        return _json(
            200,
            {
                "object": "search_result",
                "url": "/v1/payment_intents/search",
                "has_more": False,
                "next_page": None,
                "data": found,
            },
        )

    def _create_refund(self, request: httpx.Request) -> httpx.Response:
        return self._replay_or(request, self._refund)

    def _refund(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "resource_missing",
                    "param": "payment_intent",
                    "message": "No such payment_intent",
                }
            }
        refund_id = self._id("re")
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": int(params.get("amount", intent["amount"])),
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": f"ch_{intent['id'][3:]}",
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in params.items()
                if key.startswith("metadata[")
            },
            "status": self.refund_status,
        }
        self.refunds[refund_id] = refund
        return 200, refund

    def complete_action(self, intent_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """The customer authenticated (or failed to): the PaymentIntent as Stripe's webhook
        event then carries it."""
        intent = self.intents[intent_id]
        if succeeded:
            intent.update(status="succeeded", amount_received=intent["amount"], next_action=None)
        else:
            intent.update(
                status="requires_payment_method",
                next_action=None,
                last_payment_error={
                    "type": "card_error",
                    "code": "payment_intent_authentication_failure",
                    "message": "The provided PaymentMethod has failed authentication.",
                },
            )
        return json.loads(json.dumps(intent))
