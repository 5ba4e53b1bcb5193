"""StayHub, the second hotel supplier: its adapter to the `SupplierGateway` protocol.

StayHub's wire format is its own (docs/supplier-api.md, "The second supplier: StayHub"): a
stay as check-in and check-out dates written yyyymmdd, amounts as integers in minor units
(cents), an `X-Api-Key` header, errors as `{"errors": [{"code", "title", "meta"}]}` with 422
for a refusal, and a look-up by our client reference (its `partnerReference`) that answers a
list. This module reads it strictly into the same values and exceptions as RoomLine's adapter
(apps/bookings/gateways.py), so the services cannot tell the suppliers apart:

- 422 `NO_AVAILABILITY`, `UNKNOWN_ROOM`, `OCCUPANCY_EXCEEDED`: SupplierRefused with RoomLine's
  codes (`hotel_full`, `unknown_room_type`, `too_many_guests`); `RATE_MISMATCH` with
  `meta.currentPrice`: SupplierPriceChanged; any other 4xx: SupplierRefused.
- 401/403 (our key is refused): SupplierUnreachable: nothing was booked, and it is ours to fix.
- no connection, no answer, 5xx: as RoomLine (`gateways.send`).

With STAYHUB_URL unset, the same adapter talks to the simulator's StayHub in process (an httpx
transport that calls `supplier_sim.stayhub` directly): the same wire, no network.
"""

import contextlib
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from apps.bookings.gateways import (
    MAX_REFERENCE,
    AvailabilityRequest,
    BookingRequest,
    SupplierBooking,
    SupplierDown,
    SupplierOutcomeUnknown,
    SupplierPriceChanged,
    SupplierRefused,
    SupplierUnreachable,
    send,
)
from apps.bookings.pricing import NightlyRate, Policy, RoomOffer, Unreadable
from apps.money import minor_unit

API_KEY_HEADER = "X-Api-Key"

# StayHub's refusal codes, as RoomLine (and so Agora's failure reasons) spell them
CODES = {
    "NO_AVAILABILITY": "hotel_full",
    "UNKNOWN_ROOM": "unknown_room_type",
    "OCCUPANCY_EXCEEDED": "too_many_guests",
    "RATE_MISMATCH": "price_changed",  # without the new price: a plain refusal
    "VALIDATION_ERROR": "bad_request",
}
STATES = {"BOOKED": "confirmed", "CANCELLED": "canceled"}


def compact(day: date) -> str:
    return day.strftime("%Y%m%d")


def _minor(value: object, what: str, currency: str) -> Decimal:
    """An amount in minor units of `currency` (a whole number, never negative) as money."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Unreadable(f"{what}: not an amount in minor units: {value!r}")
    try:
        return Decimal(value) * minor_unit(currency)
    except KeyError:
        raise Unreadable(f"{what}: a currency we do not know: {currency!r}") from None


def _in_minor(amount: Decimal, currency: str) -> int:
    return int(amount / minor_unit(currency))


def _date(value: object, what: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise Unreadable(f"{what}: not yyyymmdd: {value!r}") from None


def _whole(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Unreadable(f"{what}: {value!r}")
    return value


def read_cancellation(data: object, currency: str) -> Policy:
    """`{"freeCancellationDays": 2, "penalty": {"kind": "PERCENT", "basisPoints": 2000}}` or
    a penalty `{"kind": "FLAT", "amountMinor": 5000}`."""
    if not isinstance(data, dict) or not isinstance(data.get("penalty"), dict):
        raise Unreadable(f"cancellation: {data!r}")
    days = _whole(data.get("freeCancellationDays"), "freeCancellationDays", 0, 365)
    penalty = data["penalty"]
    if penalty.get("kind") == "PERCENT":
        points = _whole(penalty.get("basisPoints"), "basisPoints", 0, 10000)
        return Policy(days, "percent", Decimal(points) / 100)
    if penalty.get("kind") == "FLAT":
        return Policy(days, "fixed", _minor(penalty.get("amountMinor"), "penalty", currency))
    raise Unreadable(f"penalty: {penalty!r}")


def read_offers(body: object, *, nights: int) -> list[RoomOffer]:
    """The offers of a StayHub availability answer; as strict as RoomLine's: each prices
    every night and adds up to its total, or the whole answer is unreadable."""
    offers = body.get("offers") if isinstance(body, dict) else None
    currency = body.get("currency") if isinstance(body, dict) else None
    if not isinstance(offers, list):
        raise Unreadable("no offers")
    if not isinstance(currency, str) or len(currency) != 3:
        raise Unreadable(f"currency: {currency!r}")
    read = []
    for offer in offers:
        if not isinstance(offer, dict):
            raise Unreadable(f"offer: {offer!r}")
        code, name = offer.get("roomCode"), offer.get("description") or ""
        if not isinstance(code, str) or not 0 < len(code) <= 30 or not isinstance(name, str):
            raise Unreadable(f"roomCode: {code!r}")
        rates = offer.get("nights")
        if not isinstance(rates, list) or len(rates) != nights:
            raise Unreadable(f"nights of {code}")
        nightly = tuple(
            NightlyRate(
                _date(rate.get("date"), "date"),
                _minor(rate.get("amountMinor"), "amountMinor", currency),
            )
            if isinstance(rate, dict)
            else NightlyRate(_date(None, "date"), Decimal(0))
            for rate in rates
        )
        total = _minor(offer.get("totalMinor"), "totalMinor", currency)
        if sum((rate.price for rate in nightly), Decimal(0)) != total:
            raise Unreadable(f"{code}: the nights do not add up to the total")
        read.append(
            RoomOffer(
                room_type=code,
                name=name[:100],
                max_guests=_whole(offer.get("maxOccupancy"), "maxOccupancy", 1, 100),
                currency=currency,
                nightly_rates=nightly,
                total=total,
                policy=read_cancellation(offer.get("cancellation"), currency),
            )
        )
    return read


def read_reservation(data: object, client_reference: str) -> SupplierBooking | None:
    """A reservation as StayHub sends it: `id` (1 to 100 characters) and `state` (`BOOKED` or
    `CANCELLED`) required; `partnerReference` ours (any case) if present; `price` and
    `cancellation` taken when they read. None: it does not say that, so it says nothing."""
    if not isinstance(data, dict):
        return None
    reference, state = data.get("id"), data.get("state")
    echoed = data.get("partnerReference") or client_reference
    if not isinstance(reference, str) or not 0 < len(reference) <= MAX_REFERENCE:
        return None
    if not isinstance(echoed, str) or echoed.lower() != client_reference.lower():
        return None  # another booking than the one asked about: never take its reference
    if state not in STATES:
        return None
    terms: dict[str, Any] = {}
    price = data.get("price")
    if not isinstance(price, dict):
        price = {}
    currency = price.get("currency")
    if isinstance(currency, str) and len(currency) == 3:
        terms["currency"] = currency
        with contextlib.suppress(Unreadable):
            terms["total"] = _minor(price.get("amountMinor"), "price", currency)
    with contextlib.suppress(Unreadable):
        terms["policy"] = read_cancellation(
            data.get("cancellation"), terms.get("currency", settings.AGORA_CURRENCY)
        )
    return SupplierBooking(
        reference=reference, client_reference=client_reference, status=STATES[state], **terms
    )


def _wrapped(response: httpx.Response, key: str) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(key) if isinstance(body, dict) else None


def _refusal(response: httpx.Response) -> SupplierRefused:
    errors = _wrapped(response, "errors")
    error = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = str(error.get("title") or "The supplier refused the booking.")
    if code == "RATE_MISMATCH":
        meta = error.get("meta")
        price = meta.get("currentPrice") if isinstance(meta, dict) else None
        price = price if isinstance(price, dict) else {}
        with contextlib.suppress(Unreadable):
            amount = _minor(price.get("amountMinor"), "currentPrice", str(price.get("currency")))
            return SupplierPriceChanged(message, amount)
        # a rate mismatch without the new price: a plain refusal
    if code is None:
        return SupplierRefused(f"http_{response.status_code}", message)
    return SupplierRefused(CODES.get(code, code.lower()[:50]), message)


def reservation_request(request: BookingRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partnerReference": request.client_reference,
        "propertyCode": request.supplier_hotel_id,
        "checkIn": compact(request.start_date),
        "checkOut": compact(request.start_date + timedelta(days=request.days)),
        "roomCode": request.room_type,
        "adults": request.guests,
        "remarks": request.guest_wish,
    }
    if request.expected_total is not None:
        body["expectedPrice"] = {
            "amountMinor": _in_minor(request.expected_total, settings.AGORA_CURRENCY),
            "currency": settings.AGORA_CURRENCY,
        }
    return body


class StayHubGateway:
    """StayHub over HTTP (httpx): explicit timeouts, no automatic retries (a booking call is
    only ever repeated under the same partner reference, which StayHub books once)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str,
        connect_timeout: float,
        read_timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": "agora/1.0", API_KEY_HEADER: api_key},
            transport=transport,
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = send(self.client, method, url, **kwargs)
        if response.status_code in (401, 403):
            # it refused us, not the booking: nothing was booked, and retrying will not help
            raise SupplierUnreachable(f"StayHub refused our API key ({response.status_code})")
        return response

    def _read(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A call that changes nothing (or may be repeated): no answer is simply down."""
        try:
            return self._send(method, url, **kwargs)
        except SupplierOutcomeUnknown as exc:
            raise SupplierDown(str(exc)) from exc

    def book(self, request: BookingRequest) -> SupplierBooking:
        response = self._send("POST", "/reservations", json=reservation_request(request))
        if response.is_success:
            booking = read_reservation(_wrapped(response, "reservation"), request.client_reference)
            if booking is None:
                raise SupplierOutcomeUnknown(f"Unreadable answer: {response.text[:200]!r}")
            return booking
        raise _refusal(response)

    def availability(self, request: AvailabilityRequest) -> list[RoomOffer]:
        code = quote(request.supplier_hotel_id, safe="")
        params = {
            "checkIn": compact(request.start_date),
            "checkOut": compact(request.end_date),
            "adults": str(request.guests),
        }
        response = self._read("GET", f"/properties/{code}/availability", params=params)
        if not response.is_success:
            raise SupplierDown(f"StayHub answered {response.status_code} to availability")
        try:
            body = response.json()
            return read_offers(body, nights=(request.end_date - request.start_date).days)
        except (ValueError, Unreadable) as exc:
            raise SupplierDown(f"Unreadable availability: {exc}") from exc

    def find(self, client_reference: str) -> SupplierBooking | None:
        response = self._read("GET", "/reservations", params={"partnerReference": client_reference})
        found = _wrapped(response, "reservations") if response.status_code == 200 else None
        if not isinstance(found, list):  # neither "found" nor "not found": ask again next time
            raise SupplierDown(f"StayHub answered {response.status_code}: unreadable")
        ours = [read_reservation(item, client_reference) for item in found]
        if not ours:
            return None
        if len(ours) > 1 or ours[0] is None:
            raise SupplierDown("StayHub answered a look-up that does not read as one booking")
        return ours[0]

    def get(self, reference: str) -> SupplierBooking | None:
        response = self._read("GET", f"/reservations/{quote(reference, safe='')}")
        if response.status_code == 404:
            return None
        data = _wrapped(response, "reservation") if response.is_success else None
        echoed = data.get("partnerReference") if isinstance(data, dict) else None
        booking = read_reservation(data, echoed) if isinstance(echoed, str) else None
        if booking is None or booking.reference != reference:
            raise SupplierDown(f"StayHub answered {response.status_code}: unreadable")
        return booking

    def cancel(self, reference: str) -> None:
        response = self._read("DELETE", f"/reservations/{quote(reference, safe='')}")
        if response.status_code not in (200, 404):  # canceled, or never there
            raise SupplierDown(f"StayHub answered {response.status_code} to a cancellation")


class InProcessStayHub(httpx.BaseTransport):
    """The simulator's StayHub as an httpx transport: the same requests and answers as over
    the network, with no socket. Latency and lost answers behave as a client sees them: an
    answer later than the read timeout is an httpx.ReadTimeout at once (after the booking
    was made, when it was a booking), a shorter latency is waited out."""

    def __init__(self, api: Any) -> None:
        self.api = api  # a supplier_sim.stayhub.StayHubApi

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        delay = self.api.delay(request.method, request.url.path)
        late = timeout is not None and delay >= timeout
        if delay and not late:
            time.sleep(delay)
        answer = self.api.handle(
            request.method,
            request.url.path,
            dict(request.url.params),
            request.headers.get(API_KEY_HEADER),
            request.read(),
        )
        if late or answer.hang:  # booked (maybe); the answer never comes in time
            raise httpx.ReadTimeout("The sandbox StayHub answered too late.", request=request)
        if answer.body is None:
            return httpx.Response(answer.status)
        return httpx.Response(answer.status, json=answer.body)


@cache
def sandbox_stayhub() -> Any:
    """The one in-process StayHub (tests reset it and inject faults into its `supplier`)."""
    from supplier_sim.stayhub import StayHubApi

    return StayHubApi()


SANDBOX_URL = "http://stayhub.sandbox/stayhub"


def stayhub_gateway() -> StayHubGateway:
    """StayHub as settings name it: STAYHUB_URL with STAYHUB_API_KEY, else in process."""
    connect, read = settings.SUPPLIER_CONNECT_TIMEOUT, settings.SUPPLIER_READ_TIMEOUT
    if settings.STAYHUB_URL:
        return _http_gateway(settings.STAYHUB_URL, settings.STAYHUB_API_KEY, connect, read)
    return _sandbox_gateway(connect, read)


@cache
def _http_gateway(url: str, api_key: str, connect: float, read: float) -> StayHubGateway:
    # one client (and its connection pool) per configuration, reused across requests
    return StayHubGateway(url, api_key=api_key, connect_timeout=connect, read_timeout=read)


@cache
def _sandbox_gateway(connect: float, read: float) -> StayHubGateway:
    api = sandbox_stayhub()
    return StayHubGateway(
        SANDBOX_URL,
        api_key=api.api_key,
        connect_timeout=connect,
        read_timeout=read,
        transport=InProcessStayHub(api),
    )
