"""StayHub: a second simulated supplier with its own wire format (docs/supplier-api.md, "The
second supplier: StayHub"), served under /stayhub by the same process as the first.

Its behaviour is the first supplier's (`supplier_sim.core`: the same deterministic rooms and
rates, one booking per client reference, the same faults) on a store of its own; only the wire
differs: other paths and names, dates as yyyymmdd, a stay as check-in and check-out, amounts as
integers in minor units (cents), an API key header, errors as `{"errors": [{"code", "title"}]}`
with 422 for refusals and 503 when it fails, and a look-up by partner reference that answers a
list (empty: not found) instead of a 404.

`StayHubApi.handle` is plain: a request in, an `Answer` out, no sockets and no sleeping. The
HTTP server (supplier_sim.server) and Agora's in-process sandbox both host it; each sleeps
`delay()` before handling and holds an answer back for its `hang` itself.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from supplier_sim.core import BadRequest, Booking, Broken, Refused, Supplier, parse_date
from supplier_sim.inventory import CURRENCY

PREFIX = "/stayhub"
API_KEY_HEADER = "X-Api-Key"
DEMO_API_KEY = "stayhub-demo-key"  # the simulator's key unless told another (--stayhub-key)
MINOR_UNITS = 100  # EUR: cents

# the first supplier's refusal codes, as StayHub spells them
CODES = {
    "hotel_full": "NO_AVAILABILITY",
    "price_changed": "RATE_MISMATCH",
    "unknown_room_type": "UNKNOWN_ROOM",
    "too_many_guests": "OCCUPANCY_EXCEEDED",
}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None  # JSON-able; None: no body
    hang: float = 0.0  # > 0: handled (booked), then the answer is held back this long


def _error(status: int, code: str, title: str, meta: dict[str, Any] | None = None) -> Answer:
    error: dict[str, Any] = {"code": code, "title": title}
    if meta:
        error["meta"] = meta
    return Answer(status, {"errors": [error]})


def minor(amount: Decimal | str) -> int:
    return int(Decimal(amount) * MINOR_UNITS)


def compact(day: date) -> str:
    return day.strftime("%Y%m%d")


def parse_compact(text: object, name: str) -> date:
    """A yyyymmdd date, StayHub's only date format."""
    try:
        if not isinstance(text, str) or len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise BadRequest(f"{name} must be yyyymmdd") from None


def _stay(check_in: object, check_out: object) -> tuple[date, int]:
    first = parse_compact(check_in, "checkIn")
    days = (parse_compact(check_out, "checkOut") - first).days
    if not 1 <= days <= 365:
        raise BadRequest("checkOut must be 1 to 365 days after checkIn")
    return first, days


def _cancellation(policy: dict[str, Any]) -> dict[str, Any]:
    """The first supplier's policy JSON in StayHub's words: a percentage in basis points, a
    fixed fee in minor units."""
    fee = policy["fee"]
    if fee["type"] == "percent":
        penalty = {"kind": "PERCENT", "basisPoints": int(Decimal(fee["value"]) * 100)}
    else:
        penalty = {"kind": "FLAT", "amountMinor": minor(fee["value"])}
    return {"freeCancellationDays": policy["freeUntilDaysBefore"], "penalty": penalty}


def _offer(room: dict[str, Any]) -> dict[str, Any]:
    return {
        "roomCode": room["roomType"],
        "description": room["name"],
        "maxOccupancy": room["maxGuests"],
        "nights": [
            {"date": compact(parse_date(n["date"], "date")), "amountMinor": minor(n["price"])}
            for n in room["nightlyRates"]
        ],
        "totalMinor": minor(room["total"]),
        "cancellation": _cancellation(room["cancellationPolicy"]),
    }


def reservation(booking: Booking) -> dict[str, Any]:
    first = parse_date(booking.start_date, "startDate")
    return {
        "id": booking.ref_number,
        "partnerReference": booking.client_reference,
        "propertyCode": booking.hotel_id,
        "checkIn": compact(first),
        "checkOut": compact(first + timedelta(days=booking.days)),
        "roomCode": booking.room_type,
        "adults": booking.guests,
        "remarks": booking.guest_wish,
        "price": {"amountMinor": minor(booking.total), "currency": booking.currency},
        "cancellation": _cancellation(booking.cancellation_policy),
        "state": "CANCELLED" if booking.status == "canceled" else "BOOKED",
        "bookedAt": booking.created_at,
    }


def _int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return value


def _core_payload(body: object) -> dict[str, Any]:
    """A StayHub reservation request as the first supplier's booking payload."""
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object")
    reference, code = body.get("partnerReference"), body.get("propertyCode")
    if not isinstance(reference, str) or not isinstance(code, str) or not code:
        raise BadRequest("partnerReference and propertyCode are required strings")
    first, days = _stay(body.get("checkIn"), body.get("checkOut"))
    payload: dict[str, Any] = {
        "clientReference": reference,
        "hotelId": code,
        "startDate": first.strftime("%d-%m-%Y"),
        "days": days,
        "guestWish": str(body.get("remarks") or ""),
        "roomType": body.get("roomCode") or "standard",
        "guests": _int(body.get("adults", 1), "adults", 1, 10),
    }
    expected = body.get("expectedPrice")
    if expected is not None:
        if not isinstance(expected, dict) or expected.get("currency") != CURRENCY:
            raise BadRequest(f"expectedPrice must be {{amountMinor, currency: {CURRENCY}}}")
        amount = _int(expected.get("amountMinor"), "expectedPrice.amountMinor", 0, 10**12)
        payload["expectedTotal"] = str(Decimal(amount) / MINOR_UNITS)
    return payload


class StayHubApi:
    """StayHub's API over a `Supplier` of its own (its bookings numbered SH-...)."""

    def __init__(self, supplier: Supplier | None = None, api_key: str = DEMO_API_KEY) -> None:
        self.supplier = supplier or Supplier(ref_prefix="SH")
        self.api_key = api_key

    def delay(self, method: str, path: str) -> float:
        """How long to wait before handling: the `latency` fault, on bookings and rates."""
        route = path.removeprefix(PREFIX)
        booking = method == "POST" and route == "/reservations"
        rates = method == "GET" and route.startswith("/properties/")
        return self.supplier.faults.latency if booking or rates else 0.0

    def handle(
        self, method: str, path: str, query: dict[str, str], api_key: str | None, body: bytes
    ) -> Answer:
        try:
            return self._route(method, path.removeprefix(PREFIX), query, api_key, body)
        except BadRequest as exc:
            return _error(400, "VALIDATION_ERROR", str(exc))
        except Refused as exc:
            meta = None
            if exc.code == "price_changed":
                price = {"amountMinor": minor(exc.details["newTotal"]), "currency": CURRENCY}
                meta = {"currentPrice": price}
            return _error(422, CODES.get(exc.code, exc.code.upper()), exc.message, meta)
        except Broken:
            return _error(503, "SERVICE_UNAVAILABLE", "StayHub is having a moment.")

    def _route(
        self, method: str, route: str, query: dict[str, str], api_key: str | None, body: bytes
    ) -> Answer:
        supplier = self.supplier
        control = self._control(method, route, body)
        if control is not None:
            return control
        if api_key != self.api_key:
            return _error(401, "UNAUTHORIZED", f"A valid {API_KEY_HEADER} header is required.")
        parts = route.strip("/").split("/")
        if method == "GET" and len(parts) == 3 and parts[0] == "properties":
            if parts[2] != "availability":
                return _error(404, "NOT_FOUND", "No such endpoint.")
            return Answer(200, self._availability(parts[1], query))
        if route == "/reservations" and method == "POST":
            outcome = supplier.book(_core_payload(_load(body)))
            status = 201 if outcome.created else 200
            return Answer(status, {"reservation": reservation(outcome.booking)}, outcome.hang)
        if route == "/reservations" and method == "GET":
            found = supplier.find(query.get("partnerReference", ""))
            return Answer(200, {"reservations": [reservation(found)] if found else []})
        if len(parts) == 2 and parts[0] == "reservations" and method in ("GET", "DELETE"):
            booking = supplier.get(parts[1]) if method == "GET" else supplier.cancel(parts[1])
            if booking is None:
                return _error(404, "NOT_FOUND", f"No reservation {parts[1]}.")
            return Answer(200, {"reservation": reservation(booking)})
        return _error(404, "NOT_FOUND", "No such endpoint.")

    def _control(self, method: str, route: str, body: bytes) -> Answer | None:
        """The simulator's own endpoints (no API key): as the first supplier's, under /stayhub."""
        supplier = self.supplier
        if route == "/health":
            return Answer(200, {"status": "ok"})
        if route == "/_stats":
            return Answer(200, {"bookings": supplier.count(), "requests": supplier.requests})
        if route == "/_faults" and method == "POST":
            changes = _load(body)
            if not isinstance(changes, dict):
                raise BadRequest("The body must be a JSON object")
            supplier.set_faults(changes)
        if route == "/_faults":
            return Answer(200, vars(supplier.faults))
        if route == "/_reset" and method == "POST":
            supplier.reset()
            return Answer(204)
        return None

    def _availability(self, code: str, query: dict[str, str]) -> dict[str, Any]:
        first, days = _stay(query.get("checkIn"), query.get("checkOut"))
        try:
            adults = int(query.get("adults") or 1)
        except ValueError:
            raise BadRequest("adults must be a whole number") from None
        found = self.supplier.availability(
            {
                "hotel_id": code,
                "start": first.strftime("%d-%m-%Y"),
                "end": (first + timedelta(days=days)).strftime("%d-%m-%Y"),
                "guests": str(adults),
            }
        )
        return {
            "propertyCode": code,
            "checkIn": compact(first),
            "checkOut": compact(first + timedelta(days=days)),
            "adults": adults,
            "currency": CURRENCY,
            "offers": [_offer(room) for room in found["rooms"]],
        }


def _load(body: bytes) -> object:
    try:
        return json.loads(body or b"{}")
    except ValueError:
        raise BadRequest("The body is not JSON") from None
