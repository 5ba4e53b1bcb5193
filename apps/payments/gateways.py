"""Payment gateways: a small protocol, the dummy gateway (the embedded default), a factory.

A real provider is one more class with `charge`, `refund` and `find_charge`, named in
PAYMENT_GATEWAY. Both calls carry our own reference; a gateway must treat a repeated reference
as the same request (Stripe's idempotency keys do), so a charge retried after a crash is never
doubled, and must find a charge by that reference (Stripe: search by metadata), so a payment
whose worker died at the gateway can be settled.
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


class GatewayUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Charge:
    id: str
    amount: Decimal
    currency: str
    reference: str


@dataclass(frozen=True)
class Refund:
    id: str
    charge_id: str
    amount: Decimal


class PaymentGateway(Protocol):
    def charge(self, *, amount: Decimal, currency: str, token: str, reference: str) -> Charge:
        """Take money; raises GatewayDeclined or GatewayUnavailable."""
        ...

    def refund(self, *, charge_id: str, amount: Decimal, reference: str) -> Refund:
        """Give money back; raises GatewayUnavailable."""
        ...

    def find_charge(self, reference: str) -> Charge | None:
        """The charge made with this reference, or None if there is none; raises
        GatewayUnavailable when the provider cannot tell."""
        ...


def _charge(row: DummyCharge) -> Charge:
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
    """Stripe-test-style tokens, no network:

    - `tok_visa`, `tok_mastercard`: the charge succeeds;
    - `tok_chargeDeclined`: declined (`card_declined`);
    - `tok_chargeDeclinedInsufficientFunds`: declined (`insufficient_funds`);
    - `tok_providerDown`: the provider is unavailable (nothing is charged).

    Charges and refunds are rows (DummyCharge, DummyRefund) unique on our reference, so every
    process answers alike and a repeated reference, even at the same moment, is the same one.
    """

    DECLINES = {
        "tok_chargeDeclined": "card_declined",
        "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
    }
    UNAVAILABLE = {"tok_providerDown"}

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
        if self.latency:
            time.sleep(self.latency)
        row, _ = DummyCharge.objects.get_or_create(
            reference=reference,
            defaults={
                "charge_id": f"ch_{uuid.uuid4().hex[:24]}",
                "amount": amount,
                "currency": currency,
            },
        )
        return _charge(row)

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


GATEWAYS = {"dummy": "apps.payments.gateways.DummyGateway"}


def get_gateway() -> PaymentGateway:
    """The gateway named by settings.PAYMENT_GATEWAY: `dummy` or a dotted class path."""
    name = settings.PAYMENT_GATEWAY
    gateway: PaymentGateway = import_string(GATEWAYS.get(name, name))()
    return gateway
