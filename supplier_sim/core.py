"""The simulated supplier's behaviour, shared by its HTTP server and Agora's sandbox gateway."""

import random
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from supplier_sim.inventory import CURRENCY, ROOM_TYPES, offer_json, stay_total

MAX_GUESTS = 10


class Refused(Exception):
    """The supplier says no (the hotel is full, or unknown to it)."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}  # sent beside `error` and `message` (e.g. `newTotal`)


class Broken(Exception):
    """An injected 5xx: the supplier failed and booked nothing (book_then_fail: it did book)."""


class BadRequest(Exception):
    pass


def parse_date(text: str, name: str) -> date:
    """A dd-mm-yyyy date, the supplier's only date format."""
    try:
        if len(text) != 10 or text[2] != "-" or text[5] != "-":
            raise ValueError(text)
        return date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
    except ValueError:
        raise BadRequest(f"{name} must be dd-mm-yyyy") from None


@dataclass
class Faults:
    """What goes wrong, set through POST /_faults (or directly, in process)."""

    latency: float = 0.0  # seconds before every booking is handled
    error_rate: float = 0.0  # share of booking requests answered with a 500, booking nothing
    refuse: bool = False  # refuse every booking: hotel full
    full_hotels: list[str] = field(default_factory=list)  # refuse bookings of these hotels
    book_then_timeout: int = 0  # the next N bookings are made, then the answer never comes
    hang: float = 2.0  # how long such an answer is held back
    book_then_fail: int = 0  # the next N bookings are made, then answered with a 500
    hidden_lookups: int = 0  # bookings made now stay unseen by their first N look-ups
    price_bump: float = 0.0  # added to every nightly rate: quotes made before are now stale

    def update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise BadRequest(f"Unknown fault: {name}")
            setattr(self, name, value)


@dataclass
class Booking:
    ref_number: str
    client_reference: str
    hotel_id: str
    start_date: str
    days: int
    guest_wish: str
    room_type: str = "standard"
    guests: int = 1
    total: str = "0.00"
    currency: str = CURRENCY
    cancellation_policy: dict[str, Any] = field(default_factory=dict)
    status: str = "confirmed"
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    hidden_lookups: int = 0  # look-ups still to answer "not found": it turns up late

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "refNumber": data["ref_number"],
            "clientReference": data["client_reference"],
            "hotelId": data["hotel_id"],
            "startDate": data["start_date"],
            "days": data["days"],
            "guestWish": data["guest_wish"],
            "roomType": data["room_type"],
            "guests": data["guests"],
            "total": data["total"],
            "currency": data["currency"],
            "cancellationPolicy": data["cancellation_policy"],
            "status": data["status"],
            "createdAt": data["created_at"],
        }


@dataclass(frozen=True)
class BookOutcome:
    booking: Booking
    created: bool  # False: the client reference was known, the same booking is returned
    hang: float  # > 0: the answer is to be held back this long (book, then time out)


class Supplier:
    """Bookings in memory, idempotent by client reference, thread-safe."""

    def __init__(self, seed: int | None = None, *, ref_prefix: str = "SUP") -> None:
        self._lock = threading.Lock()
        self.ref_prefix = ref_prefix  # each simulated supplier numbers its bookings its own way
        self._random = random.Random(seed)
        self.bookings: dict[str, Booking] = {}  # by client reference
        self.faults = Faults()
        self.requests = 0

    def reset(self) -> None:
        with self._lock:
            self.bookings.clear()
            self.faults = Faults()
            self.requests = 0

    @staticmethod
    def _validate(payload: dict[str, Any]) -> tuple[str, str, date, int, str]:
        try:
            client_reference = str(payload["clientReference"])
            hotel_id = str(payload["hotelId"])
            start = str(payload["startDate"])
            days = payload["days"]
            wish = str(payload.get("guestWish") or "")
        except (KeyError, TypeError) as exc:
            raise BadRequest(f"Missing field: {exc}") from None
        first = parse_date(start, "startDate")
        if not isinstance(days, int) or not 1 <= days <= 365:
            raise BadRequest("days must be a whole number from 1 to 365")
        if not client_reference or len(client_reference) > 100:
            raise BadRequest("clientReference must have 1 to 100 characters")
        return client_reference, hotel_id, first, days, wish

    @staticmethod
    def _room(payload: dict[str, Any]) -> tuple[str, int, Decimal | None]:
        """The room asked for: its type (`standard` if none), guests (1 if none), and the
        total the client expects to pay (None: it states none, and is not checked)."""
        room_type = payload.get("roomType") or "standard"
        guests = payload.get("guests", 1)
        expected = payload.get("expectedTotal")
        if not isinstance(room_type, str):
            raise BadRequest("roomType must be a string")
        if isinstance(guests, bool) or not isinstance(guests, int) or not 1 <= guests <= MAX_GUESTS:
            raise BadRequest(f"guests must be a whole number from 1 to {MAX_GUESTS}")
        if expected is None:
            return room_type, guests, None
        try:
            return room_type, guests, Decimal(str(expected))
        except InvalidOperation:
            raise BadRequest("expectedTotal must be a decimal amount") from None

    def book(self, payload: dict[str, Any]) -> BookOutcome:
        """Book, or return the booking already made under this client reference."""
        client_reference, hotel_id, first, days, wish = self._validate(payload)
        room_type, guests, expected = self._room(payload)
        with self._lock:
            self.requests += 1
            faults = self.faults
            existing = self.bookings.get(client_reference)
            if existing is not None:
                return BookOutcome(existing, created=False, hang=0.0)
            if faults.error_rate and self._random.random() < faults.error_rate:
                raise Broken("Injected failure")
            if faults.refuse or hotel_id in faults.full_hotels:
                raise Refused("hotel_full", "The hotel has no room for these dates.")
            room = ROOM_TYPES.get(room_type)
            if room is None:
                raise Refused("unknown_room_type", f"The hotel has no room type {room_type!r}.")
            if guests > room.max_guests:
                raise Refused("too_many_guests", f"A {room.name} sleeps {room.max_guests}.")
            total = stay_total(hotel_id, first, days, room, self._bump())
            if expected is not None and expected != total:
                raise Refused(
                    "price_changed",
                    "The price of this stay has changed.",
                    {"newTotal": str(total), "currency": CURRENCY},
                )
            booking = Booking(
                ref_number=f"{self.ref_prefix}-{uuid.uuid4().hex[:10].upper()}",
                client_reference=client_reference,
                hotel_id=hotel_id,
                start_date=first.strftime("%d-%m-%Y"),
                days=days,
                guest_wish=wish,
                room_type=room.code,
                guests=guests,
                total=str(total),
                cancellation_policy=room.policy_json(),
                hidden_lookups=faults.hidden_lookups,
            )
            self.bookings[client_reference] = booking
            if faults.book_then_fail > 0:
                faults.book_then_fail -= 1
                raise Broken("Injected failure after booking")
            hang = 0.0
            if faults.book_then_timeout > 0:
                faults.book_then_timeout -= 1
                hang = faults.hang
            return BookOutcome(booking, created=True, hang=hang)

    def _bump(self) -> Decimal:
        return Decimal(str(self.faults.price_bump))

    def availability(self, query: dict[str, str]) -> dict[str, Any]:
        """The room types that sleep `guests` at `hotelId` from `start` to `end` (dd-mm-yyyy),
        each with its nightly rates, total and cancellation policy. A full hotel has none."""
        hotel_id = query.get("hotel_id") or query.get("hotelId") or ""
        if not hotel_id:
            raise BadRequest("hotel_id is required")
        first = parse_date(query.get("start", ""), "start")
        last = parse_date(query.get("end", ""), "end")
        days = (last - first).days
        if not 1 <= days <= 365:
            raise BadRequest("end must be 1 to 365 days after start")
        try:
            guests = int(query.get("guests") or 1)
        except ValueError:
            raise BadRequest("guests must be a whole number") from None
        if not 1 <= guests <= MAX_GUESTS:
            raise BadRequest(f"guests must be from 1 to {MAX_GUESTS}")
        with self._lock:
            faults = self.faults
            if faults.error_rate and self._random.random() < faults.error_rate:
                raise Broken("Injected failure")
            full = faults.refuse or hotel_id in faults.full_hotels
            bump = self._bump()
        rooms = [
            offer_json(hotel_id, first, days, room, bump)
            for room in ROOM_TYPES.values()
            if room.max_guests >= guests and not full
        ]
        return {
            "hotelId": hotel_id,
            "start": first.strftime("%d-%m-%Y"),
            "end": last.strftime("%d-%m-%Y"),
            "guests": guests,
            "rooms": rooms,
        }

    def set_faults(self, changes: dict[str, Any]) -> None:
        """Change the faults; `cancel_on_supplier` (a reference) is an act, not a setting: the
        supplier cancels that booking on its side now, as a hotel that overbooked would."""
        changes = dict(changes)
        reference = changes.pop("cancel_on_supplier", None)
        if reference is not None and self.cancel(str(reference)) is None:
            raise BadRequest(f"No booking {reference}")
        self.faults.update(changes)

    def get(self, ref_number: str) -> Booking | None:
        """The booking with this supplier reference."""
        with self._lock:
            return next((b for b in self.bookings.values() if b.ref_number == ref_number), None)

    def find(self, client_reference: str) -> Booking | None:
        """The booking made under this client reference, once it shows (see hidden_lookups)."""
        with self._lock:
            booking = self.bookings.get(client_reference)
            if booking is not None and booking.hidden_lookups > 0:
                booking.hidden_lookups -= 1
                return None
            return booking

    def cancel(self, ref_number: str) -> Booking | None:
        """Cancel by the supplier's reference; canceling twice is fine. None: unknown."""
        with self._lock:
            for booking in self.bookings.values():
                if booking.ref_number == ref_number:
                    booking.status = "canceled"
                    return booking
            return None

    def count(self) -> int:
        with self._lock:
            return len(self.bookings)
