"""The supplier contract: one suite, run against every adapter to the `SupplierGateway`
protocol, so that they cannot drift: RoomLine and StayHub over real HTTP to supplier_sim in its
own process (two wire formats, docs/supplier-api.md), and both in process (RoomLine's sandbox
gateway, StayHub's adapter over its in-process transport).

Both simulated suppliers quote the same deterministic rates (supplier_sim.inventory), so every
adapter must read the same offers, book at the same totals and map every failure to the same
exception: that is the adapter boundary the services rely on."""

import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from apps.bookings.gateways import (
    AvailabilityRequest,
    BookingRequest,
    HttpSupplierGateway,
    SandboxSupplierGateway,
    SupplierDown,
    SupplierGateway,
    SupplierOutcomeUnknown,
    SupplierPriceChanged,
    SupplierRefused,
    SupplierUnreachable,
    sandbox_supplier,
)
from apps.bookings.supplier_stayhub import (
    SANDBOX_URL,
    InProcessStayHub,
    StayHubGateway,
    sandbox_stayhub,
)
from supplier_sim.inventory import ROOM_TYPES, nightly_rate, nights_of, stay_total
from supplier_sim.stayhub import DEMO_API_KEY

READ_TIMEOUT = 0.3
HOTEL = "LIS-1"
NIGHTS = 3


class Provider:
    """An adapter and the simulated supplier behind it: its faults and counts."""

    def __init__(
        self,
        name: str,
        gateway: SupplierGateway,
        *,
        faults: Callable[[dict[str, Any]], None],
        stats: Callable[[], dict[str, int]],
        http: Callable[..., SupplierGateway] | None = None,
    ) -> None:
        self.name, self.gateway = name, gateway
        self._faults, self.stats = faults, stats
        self.http = http  # over HTTP: another gateway of the same kind, to another address

    def faults(self, **faults: Any) -> None:
        self._faults(faults)


def _over_http(name: str, control: httpx.Client, gateway: SupplierGateway, make: Any) -> Provider:
    def faults(changes: dict[str, Any]) -> None:
        control.post("/_faults", json=changes).raise_for_status()

    return Provider(
        name, gateway, faults=faults, stats=lambda: control.get("/_stats").json(), http=make
    )


def _in_process(name: str, supplier: Any, gateway: SupplierGateway) -> Provider:
    return Provider(
        name,
        gateway,
        faults=supplier.set_faults,
        stats=lambda: {"bookings": supplier.count(), "requests": supplier.requests},
    )


def _roomline(url: str, **extra: Any) -> HttpSupplierGateway:
    return HttpSupplierGateway(url, connect_timeout=1.0, read_timeout=READ_TIMEOUT, **extra)


def _stayhub(url: str, api_key: str = DEMO_API_KEY, **extra: Any) -> StayHubGateway:
    return StayHubGateway(
        url, api_key=api_key, connect_timeout=1.0, read_timeout=READ_TIMEOUT, **extra
    )


PROVIDERS = ["roomline-http", "stayhub-http", "roomline-sandbox", "stayhub-sandbox"]


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> Iterator[Provider]:
    name = request.param
    if name == "roomline-sandbox":
        yield _in_process(
            name, sandbox_supplier(), SandboxSupplierGateway(read_timeout=READ_TIMEOUT)
        )
        return
    if name == "stayhub-sandbox":
        api = sandbox_stayhub()
        gateway = _stayhub(SANDBOX_URL, api.api_key, transport=InProcessStayHub(api))
        yield _in_process(name, api.supplier, gateway)
        return
    base = request.getfixturevalue("supplier_sim_url")
    url = base if name == "roomline-http" else f"{base}/stayhub"
    make = _roomline if name == "roomline-http" else _stayhub
    with httpx.Client(base_url=url, timeout=5) as control:
        control.post("/_reset")
        yield _over_http(name, control, make(url), make)
        control.post("/_reset")


def _first_day() -> date:
    return timezone.now().date() + timedelta(days=30)


def _booking(room: str = "standard", guests: int = 2, **changes: Any) -> BookingRequest:
    first = _first_day()
    known = ROOM_TYPES.get(room)
    quoted = stay_total(HOTEL, first, NIGHTS, known, Decimal(0)) if known else None
    fields: dict[str, Any] = {
        "client_reference": str(uuid.uuid4()),
        "supplier_hotel_id": HOTEL,
        "start_date": first,
        "days": NIGHTS,
        "guest_wish": "A quiet room, please.",
        "room_type": room,
        "guests": guests,
        "expected_total": quoted,
    }
    return BookingRequest(**(fields | changes))


def _availability(guests: int = 2) -> AvailabilityRequest:
    first = _first_day()
    return AvailabilityRequest(HOTEL, first, first + timedelta(days=NIGHTS), guests)


def test_availability_is_the_suppliers_rooms_rates_and_policies(provider):
    offers = provider.gateway.availability(_availability(guests=2))
    assert [o.room_type for o in offers] == ["standard", "family", "suite"]
    family = offers[1]
    room = ROOM_TYPES["family"]
    nights = nights_of(_first_day(), NIGHTS)
    assert [(r.night, r.price) for r in family.nightly_rates] == [
        (night, nightly_rate(HOTEL, night, room, Decimal(0))) for night in nights
    ]
    assert family.total == stay_total(HOTEL, _first_day(), NIGHTS, room, Decimal(0))
    assert (family.name, family.max_guests, family.currency) == ("Family room", 4, "EUR")
    assert family.policy.as_json() == {
        "free_until_days_before": 7,
        "fee_type": "fixed",
        "fee_value": "50.00",
    }
    assert offers[0].policy.as_json()["fee_type"] == "percent"
    assert offers[0].policy.as_json()["fee_value"] == "20"


def test_availability_for_more_guests_lists_the_rooms_that_sleep_them(provider):
    assert [o.room_type for o in provider.gateway.availability(_availability(guests=3))] == [
        "family"
    ]


def test_a_full_hotel_has_no_rooms(provider):
    provider.faults(full_hotels=[HOTEL])
    assert provider.gateway.availability(_availability()) == []


def test_a_booking_is_confirmed_at_the_quoted_total_and_policy(provider):
    request = _booking()
    booking = provider.gateway.book(request)
    assert booking.status == "confirmed"
    assert booking.reference
    assert booking.client_reference == request.client_reference
    assert (booking.total, booking.currency) == (request.expected_total, "EUR")
    assert booking.policy is not None
    assert booking.policy.as_json() == {
        "free_until_days_before": 2,
        "fee_type": "percent",
        "fee_value": "20",
    }
    assert provider.stats() == {"bookings": 1, "requests": 1}


def test_the_same_client_reference_is_the_same_booking(provider):
    request = _booking()
    first = provider.gateway.book(request)
    again = provider.gateway.book(request)
    assert again.reference == first.reference
    assert provider.stats()["bookings"] == 1


def test_a_booking_is_found_by_its_client_reference_and_by_its_reference(provider):
    request = _booking()
    booking = provider.gateway.book(request)
    found = provider.gateway.find(request.client_reference)
    assert found is not None
    assert (found.reference, found.status) == (booking.reference, "confirmed")
    got = provider.gateway.get(booking.reference)
    assert got is not None
    assert (got.reference, got.client_reference) == (booking.reference, request.client_reference)
    assert provider.gateway.find(str(uuid.uuid4())) is None
    assert provider.gateway.get("NOPE-1") is None


def test_a_canceled_booking_reads_canceled_and_canceling_again_is_fine(provider):
    request = _booking()
    booking = provider.gateway.book(request)
    provider.gateway.cancel(booking.reference)
    provider.gateway.cancel(booking.reference)
    provider.gateway.cancel("NOPE-1")  # never there: nothing to cancel
    found = provider.gateway.find(request.client_reference)
    got = provider.gateway.get(booking.reference)
    assert found is not None
    assert got is not None
    assert (found.status, got.status) == ("canceled", "canceled")


def test_a_booking_the_supplier_cancels_on_its_side_reads_canceled(provider):
    booking = provider.gateway.book(_booking())
    provider.faults(cancel_on_supplier=booking.reference)
    got = provider.gateway.get(booking.reference)
    assert got is not None
    assert got.status == "canceled"


@pytest.mark.parametrize(
    ("faults", "request_changes", "code"),
    [
        ({"full_hotels": [HOTEL]}, {}, "hotel_full"),
        ({"refuse": True}, {}, "hotel_full"),
        ({}, {"room_type": "penthouse"}, "unknown_room_type"),
        ({}, {"room_type": "suite", "guests": 3}, "too_many_guests"),
    ],
)
def test_refusals_are_refused_with_the_same_codes(provider, faults, request_changes, code):
    provider.faults(**faults)
    with pytest.raises(SupplierRefused) as caught:
        provider.gateway.book(_booking(**request_changes))
    assert type(caught.value) is SupplierRefused
    assert caught.value.code == code
    assert provider.stats()["bookings"] == 0


def test_a_changed_price_is_refused_with_the_new_total(provider):
    request = _booking()
    provider.faults(price_bump=5)
    with pytest.raises(SupplierPriceChanged) as caught:
        provider.gateway.book(request)
    assert caught.value.code == "price_changed"
    assert request.expected_total is not None
    assert caught.value.new_total == request.expected_total + 5 * NIGHTS
    assert provider.stats()["bookings"] == 0


def test_a_5xx_is_down_and_books_nothing(provider):
    provider.faults(error_rate=1.0)
    with pytest.raises(SupplierDown) as caught:
        provider.gateway.book(_booking())
    assert type(caught.value) is SupplierDown  # not "unreachable": it may have booked
    with pytest.raises(SupplierDown):
        provider.gateway.availability(_availability())
    assert provider.stats()["bookings"] == 0


def test_a_5xx_after_booking_is_down_and_the_booking_is_found(provider):
    request = _booking()
    provider.faults(book_then_fail=1)
    with pytest.raises(SupplierDown):
        provider.gateway.book(request)
    found = provider.gateway.find(request.client_reference)
    assert found is not None
    assert found.status == "confirmed"


def test_a_lost_answer_is_an_unknown_outcome_and_the_booking_is_found(provider):
    request = _booking()
    provider.faults(book_then_timeout=1, hang=READ_TIMEOUT * 3)
    with pytest.raises(SupplierOutcomeUnknown):
        provider.gateway.book(request)
    found = provider.gateway.find(request.client_reference)
    assert found is not None
    assert found.status == "confirmed"
    # the retry under the same client reference is the same booking, answered this time
    assert provider.gateway.book(request).reference == found.reference
    assert provider.stats()["bookings"] == 1


def test_an_answer_later_than_the_read_timeout_is_an_unknown_outcome(provider):
    request = _booking()
    provider.faults(latency=READ_TIMEOUT * 3)
    with pytest.raises(SupplierOutcomeUnknown):
        provider.gateway.book(request)
    with pytest.raises(SupplierDown):  # a read: simply unavailable
        provider.gateway.availability(_availability())
    deadline = time.monotonic() + 10
    while provider.stats()["bookings"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the supplier is still working on it
    provider.faults(latency=0)
    found = provider.gateway.find(request.client_reference)
    assert found is not None
    assert found.status == "confirmed"


def test_a_booking_that_turns_up_late_is_not_found_then_found(provider):
    request = _booking()
    provider.faults(hidden_lookups=1)
    booking = provider.gateway.book(request)
    assert provider.gateway.find(request.client_reference) is None
    found = provider.gateway.find(request.client_reference)
    assert found is not None
    assert found.reference == booking.reference


def test_a_supplier_that_is_not_listening_is_unreachable(provider):
    if provider.http is None:
        pytest.skip("in process: there is no connection to fail")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    gateway = provider.http(f"http://127.0.0.1:{port}")
    with pytest.raises(SupplierUnreachable):
        gateway.book(_booking())
    with pytest.raises(SupplierDown):
        gateway.find(str(uuid.uuid4()))
