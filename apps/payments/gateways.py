"""Payment gateways: a small protocol, the dummy gateway (the embedded default), a factory.

A real provider is one more class with `charge` and `refund`, named in PAYMENT_GATEWAY.
Both calls carry our own reference; a gateway must treat a repeated reference as the same
request (Stripe's idempotency keys do), so a charge retried after a crash is never doubled.
"""

import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


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


class DummyGateway:
    """Stripe-test-style tokens, no network:

    - `tok_visa`, `tok_mastercard`: the charge succeeds;
    - `tok_chargeDeclined`: declined (`card_declined`);
    - `tok_chargeDeclinedInsufficientFunds`: declined (`insufficient_funds`);
    - `tok_providerDown`: the provider is unavailable (nothing is charged).

    Charges and refunds are kept in memory per process, idempotent by reference.
    """

    DECLINES = {
        "tok_chargeDeclined": "card_declined",
        "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
    }
    UNAVAILABLE = {"tok_providerDown"}

    _lock = threading.Lock()
    charges: dict[str, Charge] = {}
    refunds: dict[str, Refund] = {}
    refunds_unavailable = False  # tests set it to make refunds fail as if the provider were down
    latency = 0.0  # seconds each charge takes; tests widen race windows with it

    def charge(self, *, amount: Decimal, currency: str, token: str, reference: str) -> Charge:
        if token in self.UNAVAILABLE:
            raise GatewayUnavailable("The payment provider is not answering.")
        if token in self.DECLINES:
            raise GatewayDeclined(self.DECLINES[token])
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            existing = self.charges.get(reference)
            if existing is not None:
                return existing
            charge = Charge(f"ch_{uuid.uuid4().hex[:24]}", amount, currency, reference)
            self.charges[reference] = charge
            return charge

    def refund(self, *, charge_id: str, amount: Decimal, reference: str) -> Refund:
        if self.refunds_unavailable:
            raise GatewayUnavailable("The payment provider is not answering.")
        with self._lock:
            existing = self.refunds.get(reference)
            if existing is not None:
                return existing
            refund = Refund(f"re_{uuid.uuid4().hex[:24]}", charge_id, amount)
            self.refunds[reference] = refund
            return refund

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.charges.clear()
            cls.refunds.clear()
            cls.refunds_unavailable = False
            cls.latency = 0.0


GATEWAYS = {"dummy": "apps.payments.gateways.DummyGateway"}


def get_gateway() -> PaymentGateway:
    """The gateway named by settings.PAYMENT_GATEWAY: `dummy` or a dotted class path."""
    name = settings.PAYMENT_GATEWAY
    gateway: PaymentGateway = import_string(GATEWAYS.get(name, name))()
    return gateway
