"""Payable kinds: what payments charges for, known by a reference (a kind and an id), never by
importing the app that owns it.

Payments is the lower layer: the apps that sell something (ordering today, a hotel stay soon)
depend on payments, never the reverse. Each registers its kind at start-up (in its
AppConfig.ready) with callbacks that payments calls inside its own transactions:

    register_payable(ORDER, PayableKind(lock=..., on_paid=..., visible=...))

Locks are taken in one order everywhere: the payable row first (by `lock`), then the payment.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# The kind payments' order routes pay (`/api/orders/{id}/payments/`); ordering registers it.
ORDER = "order"
# A hotel stay (`/api/bookings/{id}/payments/`); bookings registers it.
BOOKING = "booking"


@dataclass(frozen=True)
class Payable:
    """What paying needs of a payable, read with its row locked."""

    amount: Decimal
    currency: str
    may_pay: bool  # whether it may be paid now (an order: awaiting payment)
    status: str  # its own status, for the client when it may not be paid
    # what it still lacks before it may be paid (an order of goods that ship: its address,
    # its shipping method), named for the client; empty when it is ready
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class PayableKind:
    """The callbacks of one kind of payable. Each runs inside the caller's transaction.

    `lock(payable_id, owner)`: lock one of `owner`'s payables (`owner` a user or a user id)
    and return it; None if there is none.
    `on_paid(payable_id)`: mark it paid (it is locked already). What follows the payment
    outside (a stay booked at the supplier) is enqueued here, so it runs once this commits.
    `visible(payable_id, actor)`: whether `actor` may see it and its payments."""

    lock: Callable[[int, Any], Payable | None]
    on_paid: Callable[[int], None]
    visible: Callable[[int, Any], bool]


_kinds: dict[str, PayableKind] = {}


def register_payable(name: str, kind: PayableKind) -> None:
    """Make payable `name` known to payments (once, at start-up)."""
    existing = _kinds.get(name)
    if existing is not None and existing != kind:
        raise RuntimeError(f"The payable kind {name!r} is registered twice.")
    _kinds[name] = kind


def payable_kind(name: str) -> PayableKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(
            f"No payable kind {name!r} is registered: its app must register it in ready()."
        ) from None
