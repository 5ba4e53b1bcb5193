"""What a stay costs and what canceling it costs: the supplier's offers and cancellation policy
as plain values, read from its wire format (docs/supplier-api.md), and the fee rule.

A booking carries its total and the fee a cancellation would cost; canceling keeps the fee and
refunds the rest of the payment (`refund_due`) through payments.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from apps.money import quantize_money

FeeType = Literal["fixed", "percent"]


class Unreadable(ValueError):
    """A supplier answer that does not say what docs/supplier-api.md promises."""


@dataclass(frozen=True)
class Policy:
    """Free until `free_until_days_before` days before arrival; later, a fee: a fixed amount
    or a percentage of the total (never more than the total)."""

    free_until_days_before: int
    fee_type: FeeType
    fee_value: Decimal

    def fee(self, total: Decimal, *, start: date, today: date) -> Decimal:
        """The fee for canceling on `today` a stay starting on `start` (before the start)."""
        if (start - today).days >= self.free_until_days_before:
            return Decimal("0.00")
        fee = self.fee_value if self.fee_type == "fixed" else total * self.fee_value / 100
        return quantize_money(min(fee, total))  # half up, in the currency's minor unit

    def free_until(self, start: date, *, today: date) -> date | None:
        """The last day canceling is free; None if that day has passed."""
        last = start - timedelta(days=self.free_until_days_before)
        return last if last >= today else None

    def as_json(self) -> dict[str, Any]:
        return {
            "free_until_days_before": self.free_until_days_before,
            "fee_type": self.fee_type,
            "fee_value": str(self.fee_value),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Policy":
        """From our own column (`as_json`)."""
        return cls(
            free_until_days_before=int(data["free_until_days_before"]),
            fee_type=data["fee_type"],
            fee_value=Decimal(data["fee_value"]),
        )


FREE = Policy(free_until_days_before=0, fee_type="fixed", fee_value=Decimal("0"))


def cancellation_terms(
    status: str,
    total: Decimal,
    policy: Policy,
    *,
    start: date,
    today: date,
    fee_charged: Decimal | None,
) -> tuple[Decimal | None, Decimal | None]:
    """(fee, refund due) of a booking: what its cancellation cost, or would cost today. None,
    None: nothing to cancel (not confirmed), or too late (the stay has started)."""
    if status == "canceled":
        fee = fee_charged if fee_charged is not None else Decimal("0.00")
        return fee, total - fee
    if status == "canceled_by_supplier":
        return Decimal("0.00"), total  # the supplier's doing: the traveller pays nothing
    if status == "confirmed" and today < start:
        fee = policy.fee(total, start=start, today=today)
        return fee, total - fee
    return None, None


@dataclass(frozen=True)
class NightlyRate:
    night: date
    price: Decimal


@dataclass(frozen=True)
class RoomOffer:
    room_type: str
    name: str
    max_guests: int
    currency: str
    nightly_rates: tuple[NightlyRate, ...]
    total: Decimal
    policy: Policy


def _amount(value: object, what: str) -> Decimal:
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise Unreadable(f"{what}: not an amount: {value!r}")
    return amount


def _date(value: object, what: str) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise Unreadable(f"{what}: not dd-mm-yyyy: {value!r}")
    try:
        return date(int(value[6:10]), int(value[3:5]), int(value[0:2]))
    except ValueError:
        raise Unreadable(f"{what}: not dd-mm-yyyy: {value!r}") from None


def read_policy(data: object) -> Policy:
    """`{"freeUntilDaysBefore": 2, "fee": {"type": "percent", "value": "20"}}`."""
    if not isinstance(data, dict) or not isinstance(data.get("fee"), dict):
        raise Unreadable(f"cancellationPolicy: {data!r}")
    days, fee = data.get("freeUntilDaysBefore"), data["fee"]
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        raise Unreadable(f"freeUntilDaysBefore: {days!r}")
    fee_type, value = fee.get("type"), _amount(fee.get("value"), "fee")
    if fee_type not in ("fixed", "percent") or (fee_type == "percent" and value > 100):
        raise Unreadable(f"fee: {fee!r}")
    return Policy(free_until_days_before=days, fee_type=fee_type, fee_value=value)


def read_offers(body: object, *, nights: int) -> list[RoomOffer]:
    """The rooms of an availability answer; each must price every night of the stay and add
    up to its total, or the whole answer is unreadable (never quote a price we cannot trust)."""
    rooms = body.get("rooms") if isinstance(body, dict) else None
    if not isinstance(rooms, list):
        raise Unreadable("no rooms")
    offers = []
    for room in rooms:
        if not isinstance(room, dict):
            raise Unreadable(f"room: {room!r}")
        rates = room.get("nightlyRates")
        code, name, guests = room.get("roomType"), room.get("name") or "", room.get("maxGuests")
        currency = room.get("currency")
        if not isinstance(code, str) or not 0 < len(code) <= 30 or not isinstance(name, str):
            raise Unreadable(f"roomType: {code!r}")
        if isinstance(guests, bool) or not isinstance(guests, int) or guests < 1:
            raise Unreadable(f"maxGuests: {guests!r}")
        if not isinstance(currency, str) or len(currency) != 3:
            raise Unreadable(f"currency: {currency!r}")
        if not isinstance(rates, list) or len(rates) != nights:
            raise Unreadable(f"nightlyRates of {code}")
        nightly = tuple(
            NightlyRate(_date(r.get("date"), "date"), _amount(r.get("price"), "price"))
            if isinstance(r, dict)
            else NightlyRate(_date(None, "date"), Decimal(0))
            for r in rates
        )
        total = _amount(room.get("total"), "total")
        if sum((r.price for r in nightly), Decimal(0)) != total:
            raise Unreadable(f"{code}: the nights do not add up to the total")
        offers.append(
            RoomOffer(
                room_type=code,
                name=name[:100],
                max_guests=guests,
                currency=currency,
                nightly_rates=nightly,
                total=total,
                policy=read_policy(room.get("cancellationPolicy")),
            )
        )
    return offers


def read_total(value: object) -> Decimal:
    return _amount(value, "total")
