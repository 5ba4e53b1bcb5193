"""Payment gateways: a small protocol, the dummy gateway (the embedded default), a factory.

A provider is one class with `charge`, `refund` and `find_charge`, named in PAYMENT_GATEWAY
(`dummy`, `stripe`: apps/payments/stripe_gateway.py, or a dotted path). Both calls carry our
own reference; a gateway must treat a repeated reference as the same request (Stripe's
idempotency keys do), so a charge retried after a crash is never doubled, and must find a
charge by that reference (Stripe: search by metadata), so a payment whose worker died at the
gateway, or whose answer timed out, can be settled. What each outcome raises is the contract
(apps/payments/tests/contract.py runs it against every gateway):

- GatewayDeclined(reason): the card was refused, nothing charged;
- GatewayRefused(reason): the request itself was wrong (an unknown card token; an amount
  below the provider's least charge: `amount_too_small`), nothing charged;
- GatewayUnavailable: the provider is down or rate-limits us, nothing was charged;
- GatewayOutcomeUnknown: the request may have reached the provider (a timeout, a 500): only
  find_charge can tell, so the payment stays `processing`;
- a Charge with status `requires_action`: the customer must authenticate (3-D Secure) with
  its `client_secret`; the provider says later (Stripe: a webhook) how it ended.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

from apps.payments.models import DummyCharge, DummyRefund

T = TypeVar("T")


class GatewayDeclined(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayRefused(Exception):
    """The provider refused the request as invalid (an unknown card token): nothing charged."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayUnavailable(Exception):
    """The provider did not take the request: nothing was charged or refunded."""


class GatewayOutcomeUnknown(Exception):
    """The request may have been carried out (a timeout, a provider error): ask find_charge."""


SUCCEEDED = "succeeded"
REQUIRES_ACTION = "requires_action"
# GatewayRefused's reason for an amount below the provider's least charge (Stripe: 0.50 EUR)
AMOUNT_TOO_SMALL = "amount_too_small"


@dataclass(frozen=True)
class Charge:
    id: str
    amount: Decimal
    currency: str
    reference: str
    status: str = SUCCEEDED  # or REQUIRES_ACTION: the customer must authenticate
    client_secret: str = ""  # what the customer's browser authenticates with


@dataclass(frozen=True)
class Refund:
    id: str
    charge_id: str
    amount: Decimal
    pending: bool = False  # the provider settles it later (Stripe: a webhook)


class PaymentGateway(Protocol):
    def charge(self, *, amount: Decimal, currency: str, token: str, reference: str) -> Charge:
        """Take money; raises GatewayDeclined, GatewayRefused, GatewayUnavailable or
        GatewayOutcomeUnknown."""
        ...

    def refund(self, *, charge_id: str, amount: Decimal, reference: str) -> Refund:
        """Give money back (the whole charge or part of it); raises GatewayUnavailable or
        GatewayOutcomeUnknown (retry: the reference makes it the same refund)."""
        ...

    def find_charge(self, reference: str) -> Charge | None:
        """The charge made with this reference, or None if there is none; raises
        GatewayUnavailable when the provider cannot tell."""
        ...


def _charge(row: DummyCharge) -> Charge:
    if row.requires_action:
        return Charge(
            row.charge_id,
            row.amount,
            row.currency,
            row.reference,
            REQUIRES_ACTION,
            f"{row.charge_id}_secret_dummy",
        )
    return Charge(row.charge_id, row.amount, row.currency, row.reference)


def _refund(row: DummyRefund) -> Refund:
    return Refund(row.refund_id, row.charge_id, row.amount)


class _Held(Generic[T]):
    """`DummyGateway.charges`, `.refunds`: what the dummy provider holds, by our reference,
    read from the database on each access (for tests and a look in the shell)."""

    def __init__(self, read: Callable[[], dict[str, T]]) -> None:
        self._read = read

    def __get__(self, instance: object, owner: type | None = None) -> dict[str, T]:
        return self._read()


class DummyGateway:
    """Stripe's test tokens and PaymentMethods, no network:

    - `tok_visa`, `tok_mastercard` (`pm_card_visa`, `pm_card_mastercard`): the charge succeeds;
    - `tok_chargeDeclined` (`pm_card_chargeDeclined`): declined (`card_declined`);
    - `tok_chargeDeclinedInsufficientFunds`: declined (`insufficient_funds`);
    - `tok_threeDSecure2Required` (`pm_card_threeDSecure2Required`): the customer must
      authenticate: `requires_action` with a client secret;
    - `tok_providerDown`: the provider is unavailable (nothing is charged);
    - `tok_providerTimeout`: the charge is made but its answer is lost (a timeout);
    - any other token: refused as Stripe refuses it (`resource_missing`), nothing charged;
    - an amount below MINIMUM_CHARGE (Stripe's 0.50): refused as `amount_too_small`.

    Charges and refunds are rows (DummyCharge, DummyRefund) unique on our reference, so every
    process answers alike and a repeated reference, even at the same moment, is the same one.
    """

    SUCCEEDS = {"tok_visa", "tok_mastercard", "pm_card_visa", "pm_card_mastercard"}
    DECLINES = {
        "tok_chargeDeclined": "card_declined",
        "pm_card_chargeDeclined": "card_declined",
        "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
    }
    REQUIRE_ACTION = {"tok_threeDSecure2Required", "pm_card_threeDSecure2Required"}
    UNAVAILABLE = {"tok_providerDown"}
    TIMES_OUT = {"tok_providerTimeout"}
    MINIMUM_CHARGE = Decimal("0.50")  # Stripe's least charge in EUR and USD

    # knobs for tests, per process; reset() puts them back
    refunds_unavailable = False  # refunds fail as if the provider were down
    lookups_unavailable = False  # find_charge fails as if the provider were down
    latency = 0.0  # seconds each charge takes; tests widen race windows with it

    charges = _Held(
        lambda: {row.reference: _charge(row) for row in DummyCharge.objects.order_by("id")}
    )
    refunds = _Held(
        lambda: {row.reference: _refund(row) for row in DummyRefund.objects.order_by("id")}
    )

    def charge(self, *, amount: Decimal, currency: str, token: str, reference: str) -> Charge:
        if token in self.UNAVAILABLE:
            raise GatewayUnavailable("The payment provider is not answering.")
        if token in self.DECLINES:
            raise GatewayDeclined(self.DECLINES[token])
        if not (token in self.SUCCEEDS or token in self.REQUIRE_ACTION or token in self.TIMES_OUT):
            raise GatewayRefused("resource_missing")
        if amount < self.MINIMUM_CHARGE:
            raise GatewayRefused(AMOUNT_TOO_SMALL)
        if self.latency:
            time.sleep(self.latency)
        row, _ = DummyCharge.objects.get_or_create(
            reference=reference,
            defaults={
                "charge_id": f"ch_{uuid.uuid4().hex[:24]}",
                "amount": amount,
                "currency": currency,
                "requires_action": token in self.REQUIRE_ACTION,
            },
        )
        if token in self.TIMES_OUT:
            raise GatewayOutcomeUnknown("The payment provider did not answer in time.")
        return _charge(row)

    def complete_action(self, reference: str, *, succeeded: bool = True) -> Charge | None:
        """The customer authenticated (or failed to): what Stripe's webhook would say later.
        For tests and a demo; None if there is no such charge."""
        row = DummyCharge.objects.filter(reference=reference).first()
        if row is None:
            return None
        if succeeded:
            DummyCharge.objects.filter(pk=row.pk).update(requires_action=False)
            row.requires_action = False
            return _charge(row)
        row.delete()
        return None

    def refund(self, *, charge_id: str, amount: Decimal, reference: str) -> Refund:
        if self.refunds_unavailable:
            raise GatewayUnavailable("The payment provider is not answering.")
        row, _ = DummyRefund.objects.get_or_create(
            reference=reference,
            defaults={
                "refund_id": f"re_{uuid.uuid4().hex[:24]}",
                "charge_id": charge_id,
                "amount": amount,
            },
        )
        return _refund(row)

    def find_charge(self, reference: str) -> Charge | None:
        if self.lookups_unavailable:
            raise GatewayUnavailable("The payment provider is not answering.")
        row = DummyCharge.objects.filter(reference=reference).first()
        return _charge(row) if row is not None else None

    @classmethod
    def reset(cls) -> None:
        """Put the knobs back (the charges and refunds go with the test's database)."""
        cls.refunds_unavailable = False
        cls.lookups_unavailable = False
        cls.latency = 0.0


GATEWAYS = {
    "dummy": "apps.payments.gateways.DummyGateway",
    "stripe": "apps.payments.stripe_gateway.StripeGateway",
}


def get_gateway() -> PaymentGateway:
    """The gateway named by settings.PAYMENT_GATEWAY: `dummy`, `stripe` or a dotted path."""
    name = settings.PAYMENT_GATEWAY
    gateway: PaymentGateway = import_string(GATEWAYS.get(name, name))()
    return gateway
