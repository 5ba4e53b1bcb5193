"""The simulated supplier's behaviour, shared by its HTTP server and Agora's sandbox gateway."""

import random
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class Refused(Exception):
    """The supplier says no (the hotel is full, or unknown to it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Broken(Exception):
    """An injected 5xx: the supplier failed and booked nothing (book_then_fail: it did book)."""


class BadRequest(Exception):
    pass


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

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
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
    def _validate(payload: dict[str, Any]) -> tuple[str, str, str, int, str]:
        try:
            client_reference = str(payload["clientReference"])
            hotel_id = str(payload["hotelId"])
            start = str(payload["startDate"])
            days = payload["days"]
            wish = str(payload.get("guestWish") or "")
        except (KeyError, TypeError) as exc:
            raise BadRequest(f"Missing field: {exc}") from None
        try:
            date(int(start[6:10]), int(start[3:5]), int(start[0:2]))
            if len(start) != 10 or start[2] != "-" or start[5] != "-":
                raise ValueError(start)
        except ValueError:
            raise BadRequest("startDate must be dd-mm-yyyy") from None
        if not isinstance(days, int) or not 1 <= days <= 365:
            raise BadRequest("days must be a whole number from 1 to 365")
        if not client_reference or len(client_reference) > 100:
            raise BadRequest("clientReference must have 1 to 100 characters")
        return client_reference, hotel_id, start, days, wish

    def book(self, payload: dict[str, Any]) -> BookOutcome:
        """Book, or return the booking already made under this client reference."""
        client_reference, hotel_id, start, days, wish = self._validate(payload)
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
            booking = Booking(
                ref_number=f"SUP-{uuid.uuid4().hex[:10].upper()}",
                client_reference=client_reference,
                hotel_id=hotel_id,
                start_date=start,
                days=days,
                guest_wish=wish,
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
