"""The hotel suppliers, behind one small protocol (`SupplierGateway`); each hotel names its
supplier (`Hotel.supplier`) and `supplier_for(hotel)` gives its adapter:

- RoomLine, the first supplier (docs/supplier-api.md), in this module;
- StayHub, a second one with another wire format, in apps/bookings/supplier_stayhub.py.

RoomLine's two implementations:

- `HttpSupplierGateway`: the real supplier over HTTP (httpx), with explicit connect and read
  timeouts and no automatic retries: a booking call that may have reached the supplier is only
  ever repeated under the same client reference, which the supplier treats as the same booking.
- `SandboxSupplierGateway`: the simulator's own behaviour in process, the embedded default when
  SUPPLIER_URL is unset.

The payload follows the supplier's API (docs/supplier-api.md): its hotel id, the start date as
dd-mm-yyyy, the number of days, the room type, the guests, the total we expect to pay, the
guest's wish, and our client reference. Availability (room types, rates, policies) is a read.
"""

import contextlib
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

import httpx
from django.conf import settings

from apps.bookings.models import Hotel, SupplierName
from apps.bookings.pricing import (
    Policy,
    RoomOffer,
    Unreadable,
    read_offers,
    read_policy,
    read_total,
)
from servicelayer.request_id import outgoing_headers


class SupplierRefused(Exception):
    """The supplier said no (a 4xx, or any answer neither a success nor a 5xx): nothing booked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SupplierPriceChanged(SupplierRefused):
    """The supplier's price for the stay is no longer the one we expected: nothing booked."""

    def __init__(self, message: str, new_total: Decimal) -> None:
        super().__init__("price_changed", message)
        self.new_total = new_total


def _refusal(body: object, status: int) -> SupplierRefused:
    error = body if isinstance(body, dict) else {}
    code = str(error.get("error") or f"http_{status}")
    message = str(error.get("message") or "The supplier refused the booking.")
    if code == "price_changed":
        try:
            return SupplierPriceChanged(message, read_total(error.get("newTotal")))
        except Unreadable:
            pass  # a price change without the new price: a plain refusal
    return SupplierRefused(code, message)


class SupplierDown(Exception):
    """The supplier answered 5xx, or could not be reached: try again later. A 5xx to a booking
    request says it failed, but the supplier may have booked all the same."""


class SupplierUnreachable(SupplierDown):
    """No connection could be made (or none was free in time): the request never reached the
    supplier, so nothing is booked."""


class SupplierOutcomeUnknown(Exception):
    """The booking request may have reached the supplier, but no answer that we can read came
    back (a read timeout, a dropped connection, a 2xx we cannot parse): ask again later."""


@dataclass(frozen=True)
class BookingRequest:
    client_reference: str
    supplier_hotel_id: str
    start_date: date
    days: int
    guest_wish: str
    room_type: str = "standard"
    guests: int = 1
    expected_total: Decimal | None = None  # None: not checked (Agora always sends it)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "clientReference": self.client_reference,
            "hotelId": self.supplier_hotel_id,
            "startDate": self.start_date.strftime("%d-%m-%Y"),
            "days": self.days,
            "guestWish": self.guest_wish,
            "roomType": self.room_type,
            "guests": self.guests,
        }
        if self.expected_total is not None:
            payload["expectedTotal"] = str(self.expected_total)
        return payload


@dataclass(frozen=True)
class AvailabilityRequest:
    supplier_hotel_id: str
    start_date: date
    end_date: date
    guests: int

    def params(self) -> dict[str, str]:
        return {
            "hotel_id": self.supplier_hotel_id,
            "start": self.start_date.strftime("%d-%m-%Y"),
            "end": self.end_date.strftime("%d-%m-%Y"),
            "guests": str(self.guests),
        }


MAX_REFERENCE = 100  # HotelBooking.supplier_reference holds no more


@dataclass(frozen=True)
class SupplierBooking:
    reference: str
    client_reference: str
    status: str  # "confirmed" or "canceled"
    # what it was booked at, when the supplier says (and says it readably)
    total: Decimal | None = None
    currency: str | None = None
    policy: Policy | None = None


class SupplierGateway(Protocol):
    def availability(self, request: AvailabilityRequest) -> list[RoomOffer]: ...

    def book(self, request: BookingRequest) -> SupplierBooking: ...

    def find(self, client_reference: str) -> SupplierBooking | None: ...

    def get(self, reference: str) -> SupplierBooking | None: ...

    def cancel(self, reference: str) -> None: ...


def _booking(body: object, client_reference: str) -> SupplierBooking | None:
    """The booking in a supplier's answer, read as docs/supplier-api.md promises it: an object
    with `refNumber` (1 to 100 characters); `clientReference` (ours echoed back, any case) and
    `status` (`confirmed` or `canceled`) are optional and default to ours and `confirmed`.
    None: the answer does not say that, so it says nothing."""
    if not isinstance(body, dict):
        return None
    reference = body.get("refNumber")
    echoed = body.get("clientReference") or client_reference
    status = body.get("status") or "confirmed"
    if not isinstance(reference, str) or not 0 < len(reference) <= MAX_REFERENCE:
        return None
    if not isinstance(echoed, str) or echoed.lower() != client_reference.lower():
        return None  # another booking than the one asked about: never take its reference
    if status not in ("confirmed", "canceled"):
        return None
    return SupplierBooking(
        reference=reference, client_reference=client_reference, status=status, **_terms(body)
    )


def _terms(body: dict[str, Any]) -> dict[str, Any]:
    """The optional price and policy of a booking: each taken only if it reads as promised."""
    terms: dict[str, Any] = {}
    with contextlib.suppress(Unreadable):
        terms["total"] = read_total(body.get("total"))
    currency = body.get("currency")
    if isinstance(currency, str) and len(currency) == 3:
        terms["currency"] = currency
    with contextlib.suppress(Unreadable):
        terms["policy"] = read_policy(body.get("cancellationPolicy"))
    return terms


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def send(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One call to a supplier, its failures told apart as every adapter must: no connection
    (SupplierUnreachable: nothing reached it), sent but no answer (SupplierOutcomeUnknown), a
    5xx (SupplierDown). Any other answer is the adapter's to read."""
    # X-Request-ID: the supplier's logs can name the request (or job) a call belongs to
    kwargs["headers"] = {**kwargs.get("headers", {}), **outgoing_headers()}
    try:
        response = client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise SupplierUnreachable(str(exc)) from exc
    except httpx.TransportError as exc:
        # sent, maybe received, no answer: read timeouts and dropped connections
        raise SupplierOutcomeUnknown(str(exc)) from exc
    if response.status_code >= 500:
        raise SupplierDown(f"The supplier answered {response.status_code}")
    return response


class HttpSupplierGateway:
    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": "agora/1.0"},
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return send(self.client, method, url, **kwargs)

    def book(self, request: BookingRequest) -> SupplierBooking:
        response = self._send("POST", "/bookings/hotel", json=request.payload())
        if response.is_success:
            booking = _booking(_json(response), request.client_reference)
            if booking is None:
                raise SupplierOutcomeUnknown(f"Unreadable answer: {response.text[:200]!r}")
            return booking
        raise _refusal(_json(response), response.status_code)

    def availability(self, request: AvailabilityRequest) -> list[RoomOffer]:
        try:
            response = self._send("GET", "/availability", params=request.params())
        except SupplierOutcomeUnknown as exc:
            raise SupplierDown(str(exc)) from exc  # a read: simply unavailable
        if not response.is_success:
            raise SupplierDown(f"The supplier answered {response.status_code} to availability")
        try:
            return read_offers(_json(response), nights=(request.end_date - request.start_date).days)
        except Unreadable as exc:
            raise SupplierDown(f"Unreadable availability: {exc}") from exc

    def get(self, reference: str) -> SupplierBooking | None:
        try:
            response = self._send("GET", f"/bookings/{reference}")
        except SupplierOutcomeUnknown as exc:
            raise SupplierDown(str(exc)) from exc
        if response.status_code == 404:
            return None
        body = _json(response)
        echoed = body.get("clientReference") if isinstance(body, dict) else None
        booking = (
            _booking(body, echoed) if response.is_success and isinstance(echoed, str) else None
        )
        if booking is None or booking.reference != reference:
            raise SupplierDown(f"The supplier answered {response.status_code}: unreadable")
        return booking

    def find(self, client_reference: str) -> SupplierBooking | None:
        try:
            response = self._send("GET", "/bookings", params={"clientReference": client_reference})
        except SupplierOutcomeUnknown as exc:
            raise SupplierDown(str(exc)) from exc  # a read changes nothing: simply unavailable
        if response.status_code == 404:
            return None
        booking = _booking(_json(response), client_reference) if response.is_success else None
        if booking is None:  # neither "found" nor "not found": ask again next time
            raise SupplierDown(f"The supplier answered {response.status_code}: unreadable")
        return booking

    def cancel(self, reference: str) -> None:
        try:
            response = self._send("POST", f"/bookings/{reference}/cancel")
        except SupplierOutcomeUnknown as exc:
            raise SupplierDown(str(exc)) from exc  # canceling is idempotent: retry later
        if response.status_code not in (200, 404):
            raise SupplierDown(f"The supplier answered {response.status_code}")


class SandboxSupplierGateway:
    """The simulator in process: the same bookings, idempotency and faults, no network. A
    fault that would make an HTTP client time out raises SupplierOutcomeUnknown at once."""

    def __init__(self, read_timeout: float) -> None:
        self.read_timeout = read_timeout

    def book(self, request: BookingRequest) -> SupplierBooking:
        from supplier_sim.core import BadRequest, Broken, Refused

        supplier = sandbox_supplier()
        slow = supplier.faults.latency >= self.read_timeout
        if supplier.faults.latency and not slow:
            time.sleep(supplier.faults.latency)
        try:
            outcome = supplier.book(request.payload())
        except Broken as exc:
            raise SupplierDown(str(exc)) from exc
        except Refused as exc:
            raise _refusal({"error": exc.code, "message": exc.message, **exc.details}, 409) from exc
        except BadRequest as exc:
            raise SupplierRefused("bad_request", str(exc)) from exc
        if slow or outcome.hang:  # "book, then time out": the answer never comes in time
            raise SupplierOutcomeUnknown("The sandbox supplier answered too late.")
        return _sandbox_booking(outcome.booking)

    def availability(self, request: AvailabilityRequest) -> list[RoomOffer]:
        from supplier_sim.core import BadRequest, Broken

        supplier = sandbox_supplier()
        if supplier.faults.latency >= self.read_timeout:
            raise SupplierDown("The sandbox supplier answered too late.")
        time.sleep(supplier.faults.latency)
        try:
            body = supplier.availability(request.params())
        except (Broken, BadRequest) as exc:
            raise SupplierDown(str(exc)) from exc
        return read_offers(body, nights=(request.end_date - request.start_date).days)

    def find(self, client_reference: str) -> SupplierBooking | None:
        booking = sandbox_supplier().find(client_reference)
        return _sandbox_booking(booking) if booking else None

    def get(self, reference: str) -> SupplierBooking | None:
        booking = sandbox_supplier().get(reference)
        return _sandbox_booking(booking) if booking else None

    def cancel(self, reference: str) -> None:
        sandbox_supplier().cancel(reference)


def _sandbox_booking(booking: Any) -> SupplierBooking:
    """As the HTTP gateway reads it: the same JSON, so both behave alike."""
    found = _booking(booking.as_json(), booking.client_reference)
    assert found is not None  # the simulator writes what the gateway reads
    return found


@cache
def sandbox_supplier() -> Any:
    """The one in-process simulated supplier (tests reset it and inject faults into it)."""
    from supplier_sim.core import Supplier

    return Supplier()


def get_supplier(name: str = SupplierName.ROOMLINE) -> SupplierGateway:
    """The supplier of that name (a hotel's `supplier`), as settings configure it: RoomLine
    at SUPPLIER_URL over HTTP, else its sandbox; StayHub at STAYHUB_URL, else its sandbox
    (apps/bookings/supplier_stayhub.py)."""
    if name == SupplierName.STAYHUB:
        # imported here: the StayHub adapter builds on this module's types
        from apps.bookings.supplier_stayhub import stayhub_gateway

        return stayhub_gateway()
    if name != SupplierName.ROOMLINE:
        raise ValueError(f"No supplier {name!r}")
    if settings.SUPPLIER_URL:
        return _http_gateway(
            settings.SUPPLIER_URL, settings.SUPPLIER_CONNECT_TIMEOUT, settings.SUPPLIER_READ_TIMEOUT
        )
    return SandboxSupplierGateway(read_timeout=settings.SUPPLIER_READ_TIMEOUT)


@cache
def _http_gateway(url: str, connect_timeout: float, read_timeout: float) -> HttpSupplierGateway:
    # one client (and its connection pool) per configuration, reused across requests
    return HttpSupplierGateway(url, connect_timeout=connect_timeout, read_timeout=read_timeout)


def supplier_for(hotel: Hotel) -> SupplierGateway:
    """The supplier that holds the hotel's bookings (each hotel names its own)."""
    return get_supplier(hotel.supplier)
