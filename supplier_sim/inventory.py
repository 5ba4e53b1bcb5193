"""The simulated supplier's rooms and rates: the same answer for the same hotel, night and room
type on every run and in every process (a hash, never Python's salted `hash()`), so that tests
and demos can quote a price and book at it."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

CURRENCY = "EUR"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RoomType:
    code: str
    name: str
    max_guests: int
    base_rate: Decimal  # a night, before the day's variation
    free_until_days_before: int
    fee_type: str  # "fixed" (an amount) or "percent" (of the total)
    fee_value: Decimal

    def policy_json(self) -> dict[str, Any]:
        return {
            "freeUntilDaysBefore": self.free_until_days_before,
            "fee": {"type": self.fee_type, "value": str(self.fee_value)},
        }


ROOM_TYPES: dict[str, RoomType] = {
    room.code: room
    for room in (
        RoomType("standard", "Standard double", 2, Decimal("80.00"), 2, "percent", Decimal("20")),
        RoomType("family", "Family room", 4, Decimal("120.00"), 7, "fixed", Decimal("50.00")),
        RoomType("suite", "Suite", 2, Decimal("200.00"), 14, "percent", Decimal("50")),
    )
}


def nightly_rate(hotel_id: str, night: date, room: RoomType, bump: Decimal) -> Decimal:
    """The price of one night: the room's base rate plus 0 to 39 from (hotel, night, room)."""
    seed = f"{hotel_id}|{night.isoformat()}|{room.code}".encode()
    variation = int.from_bytes(hashlib.sha256(seed).digest()[:4], "big") % 40
    return (room.base_rate + variation + bump).quantize(CENT)


def nights_of(start: date, days: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(days)]


def stay_total(hotel_id: str, start: date, days: int, room: RoomType, bump: Decimal) -> Decimal:
    return sum((nightly_rate(hotel_id, n, room, bump) for n in nights_of(start, days)), Decimal(0))


def offer_json(
    hotel_id: str, start: date, days: int, room: RoomType, bump: Decimal
) -> dict[str, Any]:
    rates = [(night, nightly_rate(hotel_id, night, room, bump)) for night in nights_of(start, days)]
    return {
        "roomType": room.code,
        "name": room.name,
        "maxGuests": room.max_guests,
        "currency": CURRENCY,
        "nightlyRates": [{"date": d.strftime("%d-%m-%Y"), "price": str(p)} for d, p in rates],
        "total": str(sum((p for _, p in rates), Decimal(0))),
        "cancellationPolicy": room.policy_json(),
    }
