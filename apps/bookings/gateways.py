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


class SupplierRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SupplierDown(Exception):
    """The supplier could not be reached, or answered 5xx: nothing was booked."""


class SupplierTimedOut(Exception):
    """The request may have reached the supplier but no answer came: the outcome is unknown."""


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


@dataclass(frozen=True)
class SupplierBooking:
    reference: str
    client_reference: str
    status: str  # "confirmed" or "canceled"


class SupplierGateway(Protocol):
    def book(self, request: BookingRequest) -> SupplierBooking: ...

    def find(self, client_reference: str) -> SupplierBooking | None: ...

    def cancel(self, reference: str) -> None: ...


def _booking(body: dict[str, Any]) -> SupplierBooking:
    return SupplierBooking(
        reference=str(body["refNumber"]),
        client_reference=str(body["clientReference"]),
        status=str(body.get("status", "confirmed")),
    )


class HttpSupplierGateway:
    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": "agora/1.0"},
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise SupplierDown(str(exc)) from exc  # never reached the supplier
        except httpx.TransportError as exc:
            # sent, maybe received, no answer: read timeouts and dropped connections
            raise SupplierTimedOut(str(exc)) from exc
        if response.status_code >= 500:
            raise SupplierDown(f"The supplier answered {response.status_code}")
        return response

    def book(self, request: BookingRequest) -> SupplierBooking:
        response = self._send("POST", "/bookings/hotel", json=request.payload())
        if response.status_code in (200, 201):
            return _booking(response.json())
        body = _json_or_empty(response)
        raise SupplierRefused(
            str(body.get("error") or f"http_{response.status_code}"),
            str(body.get("message") or "The supplier refused the booking."),
        )

    def find(self, client_reference: str) -> SupplierBooking | None:
        try:
            response = self._send("GET", "/bookings", params={"clientReference": client_reference})
        except SupplierTimedOut as exc:
            raise SupplierDown(str(exc)) from exc  # a read changes nothing: simply unavailable
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SupplierDown(f"The supplier answered {response.status_code}")
        return _booking(response.json())

    def cancel(self, reference: str) -> None:
        try:
            response = self._send("POST", f"/bookings/{reference}/cancel")
        except SupplierTimedOut as exc:
            raise SupplierDown(str(exc)) from exc  # canceling is idempotent: retry later
        if response.status_code not in (200, 404):
            raise SupplierDown(f"The supplier answered {response.status_code}")


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class SandboxSupplierGateway:
    """The simulator in process: the same bookings, idempotency and faults, no network. A
    fault that would make an HTTP client time out raises SupplierTimedOut at once."""

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
            raise SupplierTimedOut("The sandbox supplier answered too late.")
        return _booking(outcome.booking.as_json())

    def find(self, client_reference: str) -> SupplierBooking | None:
        booking = sandbox_supplier().find(client_reference)
        return _booking(booking.as_json()) if booking else None

    def cancel(self, reference: str) -> None:
        sandbox_supplier().cancel(reference)


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
