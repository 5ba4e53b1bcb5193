"""The simulated supplier itself: its contract as docs/supplier-api.md states it."""

import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

import httpx
import pytest

from supplier_sim.core import BadRequest, Broken, Refused, Supplier
from supplier_sim.server import SupplierServer

PAYLOAD = {
    "clientReference": "c-1",
    "hotelId": "LIS-1",
    "startDate": "01-12-2030",
    "days": 2,
    "guestWish": "",
}


def test_one_booking_per_client_reference():
    supplier = Supplier()
    first = supplier.book(PAYLOAD)
    again = supplier.book(PAYLOAD | {"days": 5})
    assert (first.created, again.created) == (True, False)
    assert again.booking.ref_number == first.booking.ref_number
    assert supplier.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"startDate": "2030-12-01"},
        {"startDate": "31-02-2030"},
        {"days": 0},
        {"days": "2"},
        {"clientReference": ""},
        {"clientReference": "x" * 101},
    ],
)
def test_malformed_bookings_are_bad_requests(change):
    with pytest.raises(BadRequest):
        Supplier().book(PAYLOAD | change)


def test_faults():
    supplier = Supplier(seed=1)
    supplier.faults.update({"full_hotels": ["LIS-1"]})
    with pytest.raises(Refused):
        supplier.book(PAYLOAD)
    supplier.faults.update({"full_hotels": [], "error_rate": 1.0})
    with pytest.raises(Broken):
        supplier.book(PAYLOAD)
    supplier.faults.update({"error_rate": 0.0, "book_then_timeout": 1, "hang": 3.0})
    assert supplier.book(PAYLOAD).hang == 3.0
    assert supplier.book(PAYLOAD | {"clientReference": "c-2"}).hang == 0.0
    with pytest.raises(BadRequest):
        supplier.faults.update({"gremlins": True})


def test_a_supplier_that_books_then_fails_or_shows_a_booking_late():
    supplier = Supplier()
    supplier.faults.update({"book_then_fail": 1, "hidden_lookups": 2})
    with pytest.raises(Broken):
        supplier.book(PAYLOAD)  # the 500 lies: it is booked
    assert supplier.count() == 1
    assert [supplier.find("c-1") for _ in range(2)] == [None, None]
    found = supplier.find("c-1")
    assert found is not None
    assert found.client_reference == "c-1"
    supplier.faults.update({"hidden_lookups": 0})
    assert supplier.book(PAYLOAD | {"clientReference": "c-2"}).created
    assert supplier.find("c-2") is not None


def test_a_known_reference_is_answered_even_when_faults_would_fail_a_new_one():
    supplier = Supplier()
    booking = supplier.book(PAYLOAD).booking
    supplier.faults.update({"error_rate": 1.0, "refuse": True})
    assert supplier.book(PAYLOAD).booking is booking


def test_cancel_twice_and_unknown():
    supplier = Supplier()
    reference = supplier.book(PAYLOAD).booking.ref_number
    for _ in range(2):
        canceled = supplier.cancel(reference)
        assert canceled is not None
        assert canceled.status == "canceled"
    assert supplier.cancel("SUP-NOPE") is None


@pytest.fixture
def server():
    srv = SupplierServer(("127.0.0.1", 0))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    with httpx.Client(base_url=f"http://127.0.0.1:{srv.server_port}", timeout=5) as client:
        yield client
    srv.shutdown()
    srv.server_close()


def test_the_http_contract(server):
    created = server.post("/bookings/hotel", json=PAYLOAD)
    assert created.status_code == 201
    assert server.post("/bookings/hotel", json=PAYLOAD).status_code == 200
    found = server.get("/bookings", params={"clientReference": "c-1"})
    assert found.json()["refNumber"] == created.json()["refNumber"]
    assert server.get("/bookings", params={"clientReference": "nope"}).status_code == 404
    canceled = server.post(f"/bookings/{created.json()['refNumber']}/cancel")
    assert canceled.json()["status"] == "canceled"
    assert server.post("/bookings/SUP-NOPE/cancel").status_code == 404


def test_http_errors(server):
    bad = server.post(
        "/bookings/hotel", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (bad.status_code, bad.json()["error"]) == (400, "bad_request")
    server.post("/_faults", json={"refuse": True})
    refused = server.post("/bookings/hotel", json=PAYLOAD)
    assert (refused.status_code, refused.json()["error"]) == (409, "hotel_full")
    server.post("/_faults", json={"refuse": False, "error_rate": 1.0})
    assert server.post("/bookings/hotel", json=PAYLOAD).status_code == 500
    server.post("/_faults", json={"error_rate": 0.0, "book_then_fail": 1, "hidden_lookups": 1})
    assert server.post("/bookings/hotel", json=PAYLOAD).status_code == 500
    assert server.get("/bookings", params={"clientReference": "c-1"}).status_code == 404
    assert server.get("/bookings", params={"clientReference": "c-1"}).status_code == 200
    assert server.post("/_faults", json={"nonsense": 1}).status_code == 400
    assert server.get("/nowhere").status_code == 404
    server.post("/_reset")
    assert server.get("/_stats").json() == {"bookings": 0, "requests": 0}


def _query(guests: int = 2) -> dict[str, str]:
    return {"hotel_id": "LIS-1", "start": "01-12-2030", "end": "03-12-2030", "guests": str(guests)}


def test_rates_are_the_same_for_the_same_stay_and_a_bump_moves_them():
    first, again = Supplier().availability(_query()), Supplier().availability(_query())
    assert first == again
    standard = first["rooms"][0]
    assert [rate["date"] for rate in standard["nightlyRates"]] == ["01-12-2030", "02-12-2030"]
    supplier = Supplier()
    supplier.faults.update({"price_bump": 5})
    bumped = supplier.availability(_query())["rooms"][0]
    assert Decimal(bumped["total"]) == Decimal(standard["total"]) + 10
    assert [room["roomType"] for room in Supplier().availability(_query(4))["rooms"]] == ["family"]


def test_a_booking_at_another_total_is_refused_with_the_new_one():
    supplier = Supplier()
    total = supplier.availability(_query())["rooms"][0]["total"]
    order = PAYLOAD | {"roomType": "standard", "guests": 2, "expectedTotal": "1.00"}
    with pytest.raises(Refused) as refused:
        supplier.book(order)
    assert (refused.value.code, refused.value.details["newTotal"]) == ("price_changed", total)
    booked = supplier.book(order | {"expectedTotal": total}).booking
    assert (booked.total, booked.cancellation_policy["freeUntilDaysBefore"]) == (total, 2)


def test_the_supplier_cancels_on_its_side():
    supplier = Supplier()
    reference = supplier.book(PAYLOAD).booking.ref_number
    supplier.set_faults({"cancel_on_supplier": reference})
    assert getattr(supplier.get(reference), "status", None) == "canceled"
    with pytest.raises(BadRequest):
        supplier.set_faults({"cancel_on_supplier": "SUP-NOPE"})


def test_stays_over_http_through_agora_s_gateway(server):
    from apps.bookings.gateways import (
        AvailabilityRequest,
        BookingRequest,
        HttpSupplierGateway,
        SupplierDown,
        SupplierPriceChanged,
    )

    gateway = HttpSupplierGateway(str(server.base_url), connect_timeout=2, read_timeout=5)
    stay = AvailabilityRequest("LIS-1", date(2030, 12, 1), date(2030, 12, 3), 2)
    offers = gateway.availability(stay)
    assert [offer.room_type for offer in offers] == ["standard", "family", "suite"]
    assert offers[1].policy.fee_type == "fixed"
    server.post("/_faults", json={"price_bump": 1.5})
    request = BookingRequest(
        "c-9", "LIS-1", date(2030, 12, 1), 2, "", "standard", 2, offers[0].total
    )
    with pytest.raises(SupplierPriceChanged) as changed:
        gateway.book(request)
    assert changed.value.new_total == offers[0].total + 3
    booked = gateway.book(replace(request, expected_total=changed.value.new_total))
    assert (booked.total, booked.policy) == (changed.value.new_total, offers[0].policy)
    assert getattr(gateway.get(booked.reference), "status", None) == "confirmed"
    assert server.post("/_faults", json={"cancel_on_supplier": booked.reference}).is_success
    assert getattr(gateway.get(booked.reference), "status", None) == "canceled"
    assert gateway.get("SUP-NOPE") is None
    server.post("/_faults", json={"error_rate": 1.0})
    with pytest.raises(SupplierDown):
        gateway.availability(stay)
    bad = server.get("/availability", params={"hotel_id": "LIS-1", "start": "x", "end": "y"})
    assert bad.status_code == 400
