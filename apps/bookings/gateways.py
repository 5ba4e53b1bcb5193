"""The hotel supplier, behind a small protocol with two implementations.

- `HttpSupplierGateway`: the real supplier over HTTP (httpx), with explicit connect and read
  timeouts and no automatic retries: a booking call that may have reached the supplier is only
  ever repeated under the same client reference, which the supplier treats as the same booking.
- `SandboxSupplierGateway`: the simulator's own behaviour in process, the embedded default when
  SUPPLIER_URL is unset.

The payload follows the supplier's API (docs/supplier-api.md): its hotel id, the start date as
dd-mm-yyyy, the number of days, the guest's wish, and our client reference.
"""

import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Protocol

import httpx
from django.conf import settings

from servicelayer.request_id import outgoing_headers


class SupplierRefused(Exception):
    """The supplier said no (a 4xx, or any answer neither a success nor a 5xx): nothing booked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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

    def payload(self) -> dict[str, Any]:
        return {
            "clientReference": self.client_reference,
            "hotelId": self.supplier_hotel_id,
            "startDate": self.start_date.strftime("%d-%m-%Y"),
            "days": self.days,
            "guestWish": self.guest_wish,
        }


MAX_REFERENCE = 100  # HotelBooking.supplier_reference holds no more


@dataclass(frozen=True)
class SupplierBooking:
    reference: str
    client_reference: str
    status: str  # "confirmed" or "canceled"


class SupplierGateway(Protocol):
    def book(self, request: BookingRequest) -> SupplierBooking: ...

    def find(self, client_reference: str) -> SupplierBooking | None: ...

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
    return SupplierBooking(reference=reference, client_reference=client_reference, status=status)


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


class HttpSupplierGateway:
    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": "agora/1.0"},
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # X-Request-ID: the supplier's logs can name the request (or job) a call belongs to
        kwargs["headers"] = {**kwargs.get("headers", {}), **outgoing_headers()}
        try:
            response = self.client.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise SupplierUnreachable(str(exc)) from exc
        except httpx.TransportError as exc:
            # sent, maybe received, no answer: read timeouts and dropped connections
            raise SupplierOutcomeUnknown(str(exc)) from exc
        if response.status_code >= 500:
            raise SupplierDown(f"The supplier answered {response.status_code}")
        return response

    def book(self, request: BookingRequest) -> SupplierBooking:
        response = self._send("POST", "/bookings/hotel", json=request.payload())
        if response.is_success:
            booking = _booking(_json(response), request.client_reference)
            if booking is None:
                raise SupplierOutcomeUnknown(f"Unreadable answer: {response.text[:200]!r}")
            return booking
        body = _json(response)
        error = body if isinstance(body, dict) else {}
        raise SupplierRefused(
            str(error.get("error") or f"http_{response.status_code}"),
            str(error.get("message") or "The supplier refused the booking."),
        )

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
            raise SupplierRefused(exc.code, exc.message) from exc
        except BadRequest as exc:
            raise SupplierRefused("bad_request", str(exc)) from exc
        if slow or outcome.hang:  # "book, then time out": the answer never comes in time
            raise SupplierOutcomeUnknown("The sandbox supplier answered too late.")
        return _sandbox_booking(outcome.booking)

    def find(self, client_reference: str) -> SupplierBooking | None:
        booking = sandbox_supplier().find(client_reference)
        return _sandbox_booking(booking) if booking else None

    def cancel(self, reference: str) -> None:
        sandbox_supplier().cancel(reference)


def _sandbox_booking(booking: Any) -> SupplierBooking:
    return SupplierBooking(booking.ref_number, booking.client_reference, booking.status)


@cache
def sandbox_supplier() -> Any:
    """The one in-process simulated supplier (tests reset it and inject faults into it)."""
    from supplier_sim.core import Supplier

    return Supplier()


def get_supplier() -> SupplierGateway:
    """The supplier named by settings: SUPPLIER_URL over HTTP, else the sandbox."""
    if settings.SUPPLIER_URL:
        return _http_gateway(
            settings.SUPPLIER_URL, settings.SUPPLIER_CONNECT_TIMEOUT, settings.SUPPLIER_READ_TIMEOUT
        )
    return SandboxSupplierGateway(read_timeout=settings.SUPPLIER_READ_TIMEOUT)


@cache
def _http_gateway(url: str, connect_timeout: float, read_timeout: float) -> HttpSupplierGateway:
    # one client (and its connection pool) per configuration, reused across requests
    return HttpSupplierGateway(url, connect_timeout=connect_timeout, read_timeout=read_timeout)
