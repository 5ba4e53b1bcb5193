"""The simulated supplier itself: its contract as docs/supplier-api.md states it."""

import threading

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
