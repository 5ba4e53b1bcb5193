"""Bookings over real HTTP on loopback: against supplier_sim in its own process (conftest),
with faults injected through its API; and against a canned supplier in a thread that answers
what the contract allows but the simulator never says."""

import json
import socket
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.utils import timezone

from apps.bookings import gateways
from apps.bookings.dto import BookingRef
from apps.bookings.errors import BookingRefused, SupplierUnavailable
from apps.bookings.models import BookingStatus, Hotel, HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile
from apps.bookings.tests.paying import current, pay_booking
from apps.payments.dto import NewBookingPayment
from apps.payments.models import Payment
from apps.payments.services import payment_pay_booking
from tests.factories import stay
from tests.races import run_all

READ_TIMEOUT = 0.3


@pytest.fixture
def sim(supplier_sim_url, settings):
    settings.SUPPLIER_URL = supplier_sim_url
    settings.SUPPLIER_READ_TIMEOUT = READ_TIMEOUT
    settings.SUPPLIER_CONNECT_TIMEOUT = 1.0
    control = httpx.Client(base_url=supplier_sim_url, timeout=5)
    control.post("/_reset")

    class Sim:
        def faults(self, **faults):
            control.post("/_faults", json=faults).raise_for_status()

        def stats(self):
            return control.get("/_stats").json()

        def find(self, client_reference):
            response = control.get("/bookings", params={"clientReference": str(client_reference)})
            return response.json() if response.status_code == 200 else None

    yield Sim()
    control.post("/_reset")
    control.close()


def book_and_pay(actor, data, sim=None, **faults):
    """Book (the quote is checked at the supplier), then with `faults` at the supplier, pay:
    its task books the stay over HTTP."""
    booking = booking_book(actor=actor, data=data)
    if faults:
        sim.faults(**faults)
    pay_booking(actor, booking.id)
    return current(actor, booking.id)


def test_a_booking_over_http(shopper, make_hotel, sim):
    booking = book_and_pay(shopper, stay(make_hotel(supplier_hotel_id="OPO-7")))
    assert booking.status == "confirmed"
    at_supplier = sim.find(booking.client_reference)
    assert at_supplier["refNumber"] == booking.supplier_reference
    assert at_supplier["hotelId"] == "OPO-7"
    canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    assert canceled.status == "canceled"
    assert sim.find(booking.client_reference)["status"] == "canceled"


def test_a_refusal_over_http(shopper, make_hotel, sim):
    sim.faults(refuse=True)
    with pytest.raises(BookingRefused) as caught:
        booking_book(actor=shopper, data=stay(make_hotel()))
    assert caught.value.details == {"reason": "no_availability"}
    assert sim.stats()["bookings"] == 0


def test_a_refusal_after_payment_over_http_is_refunded(shopper, make_hotel, sim):
    booking = book_and_pay(shopper, stay(make_hotel()), sim, refuse=True)
    assert booking.status == "failed"
    assert HotelBooking.objects.get().failure_reason == "hotel_full"
    assert Payment.objects.get().status == "refunded"
    assert sim.stats()["bookings"] == 0


def test_a_5xx_is_503_and_no_booking_the_traveller_would_see(shopper, make_hotel, sim):
    sim.faults(error_rate=1.0)
    with pytest.raises(SupplierUnavailable):
        booking_book(actor=shopper, data=stay(make_hotel()))
    assert sim.stats()["bookings"] == 0
    assert not HotelBooking.objects.exists()


def test_a_supplier_that_is_not_listening_is_503(shopper, make_hotel, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    booking = booking_book(actor=shopper, data=stay(make_hotel()))
    settings.SUPPLIER_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(SupplierUnavailable):
        booking_book(actor=shopper, data=stay(make_hotel()))
    pay_booking(shopper, booking.id)
    # never reached: final, unlike a 5xx that may have booked all the same: refunded
    assert HotelBooking.objects.get().failure_reason == "supplier_unreachable"
    assert Payment.objects.get().status == "refunded"


def test_a_5xx_that_booked_all_the_same_is_reconciled_and_never_refunded(shopper, make_hotel, sim):
    booking = book_and_pay(shopper, stay(make_hotel()), sim, book_then_fail=1)
    assert booking.status == "pending_confirmation"
    assert booking_reconcile().confirmed == [booking.id]
    at_supplier = sim.find(booking.client_reference)
    assert at_supplier["status"] == "confirmed"
    assert HotelBooking.objects.get().supplier_reference == at_supplier["refNumber"]
    assert Payment.objects.get().status == "succeeded"


def test_a_booking_that_shows_at_the_supplier_after_the_grace_is_canceled_there(
    shopper, make_hotel, sim, settings
):
    faults = {"book_then_timeout": 1, "hang": READ_TIMEOUT * 3, "hidden_lookups": 1}
    booking = book_and_pay(shopper, stay(make_hotel()), sim, **faults)
    assert booking.status == "pending_confirmation"
    HotelBooking.objects.update(
        paid_at=timezone.now() - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 2)
    )
    assert booking_reconcile().failed == [booking.id]  # no trace yet
    assert booking_reconcile().orphans_canceled == [booking.id]  # now there is
    assert sim.find(booking.client_reference)["status"] == "canceled"
    assert booking_reconcile().orphans_canceled == []


def test_latency_beyond_the_read_timeout_then_reconciliation_confirms_once(
    shopper, make_hotel, sim
):
    booking = book_and_pay(shopper, stay(make_hotel()), sim, latency=READ_TIMEOUT * 3)
    assert booking.status == "pending_confirmation"
    deadline = time.monotonic() + 10
    while sim.stats()["bookings"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the supplier is still working on it
    result = booking_reconcile()
    assert (result.confirmed, result.failed) == ([booking.id], [])
    assert booking_reconcile().confirmed == []
    settled = HotelBooking.objects.get()
    assert settled.supplier_reference == sim.find(booking.client_reference)["refNumber"]
    assert sim.stats() == {"bookings": 1, "requests": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bookings_that_time_out_together_are_each_booked_once_and_none_lost(
    make_user, make_hotel, sim
):
    """A handful of travellers book at once and every answer is lost after the supplier
    booked: reconciliation confirms each booking, none twice, none lost."""
    travellers = 5
    bookers = [(make_user(), make_hotel()) for _ in range(travellers)]
    unpaid = [(u, booking_book(actor=u, data=stay(h))) for u, h in bookers]
    sim.faults(book_then_timeout=travellers, hang=READ_TIMEOUT * 3)

    def pay(user, booking):
        payment_pay_booking(
            actor=user, data=NewBookingPayment(booking_id=booking.id, card_token="tok_visa")
        )
        return current(user, booking.id)  # its task ran on commit (this test commits)

    bookings = run_all([lambda u=u, b=b: pay(u, b) for u, b in unpaid])

    assert {b.status for b in bookings} == {"pending_confirmation"}
    result = booking_reconcile()
    assert sorted(result.confirmed) == sorted(b.id for b in bookings)
    assert booking_reconcile().confirmed == []
    rows = HotelBooking.objects.all()
    assert {row.status for row in rows} == {BookingStatus.CONFIRMED}
    assert len({row.supplier_reference for row in rows}) == travellers
    # nothing was booked twice
    assert sim.stats() == {"bookings": travellers, "requests": travellers}


class CannedSupplier(ThreadingHTTPServer):
    """A supplier that answers what a test tells it to: `answers["POST /bookings/hotel"] =
    (200, b'...')`; anything not told is a 404."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CannedHandler)
        self.answers: dict[str, tuple[int, bytes]] = {}


class CannedHandler(BaseHTTPRequestHandler):
    server: CannedSupplier
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0]
        status, body = self.server.answers.get(f"{self.command} {path}", (404, b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture
def canned(settings):
    server = CannedSupplier()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.SUPPLIER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.SUPPLIER_READ_TIMEOUT = 5.0
    yield server.answers
    server.shutdown()
    server.server_close()


def quotes(canned, data):
    """The canned supplier quotes the stay as the simulator would."""
    from supplier_sim.core import Supplier

    body = Supplier().availability(
        {
            "hotel_id": Hotel.objects.get(pk=data.hotel_id).supplier_hotel_id,
            "start": data.start_date.strftime("%d-%m-%Y"),
            "end": data.end_date.strftime("%d-%m-%Y"),
            "guests": str(data.guests),
        }
    )
    canned["GET /availability"] = (200, json.dumps(body).encode())


def test_the_articles_answer_a_bare_ref_number_confirms_the_booking(shopper, make_hotel, canned):
    canned["POST /bookings/hotel"] = (200, b'{"refNumber": "ART-1"}')
    data = stay(make_hotel())
    quotes(canned, data)
    booking = book_and_pay(shopper, data)
    assert (booking.status, booking.supplier_reference) == ("confirmed", "ART-1")


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>Booked!</html>",
        b'[{"refNumber": "ART-2"}]',
        b'{"bookingId": "ART-2"}',
        b'{"refNumber": ""}',
        b'{"refNumber": "ART-2", "status": "on_request"}',
        b'{"refNumber": "ART-2", "clientReference": "somebody-else"}',
    ],
)
def test_a_2xx_answer_that_cannot_be_read_is_an_unknown_outcome_reconciliation_settles(
    api, shopper, make_hotel, canned, answer
):
    canned["POST /bookings/hotel"] = (200, answer)
    data = stay(make_hotel())
    quotes(canned, data)
    response = api(shopper).post("/api/bookings/", data.model_dump(mode="json"), format="json")
    assert (response.status_code, response.json()["status"]) == (201, "awaiting_payment")
    pay_booking(shopper, response.json()["id"])
    assert HotelBooking.objects.get().status == "pending_confirmation"
    canned["GET /bookings"] = (200, answer)  # the look-up is no better: still unknown
    assert booking_reconcile().unresolved == [response.json()["id"]]
    canned["GET /bookings"] = (200, b'{"refNumber": "ART-2"}')
    assert booking_reconcile().confirmed == [response.json()["id"]]
    assert HotelBooking.objects.get().supplier_reference == "ART-2"


@pytest.mark.parametrize(
    ("failure", "seen_as"),
    [
        (httpx.ConnectError("refused"), gateways.SupplierUnreachable),
        (httpx.ConnectTimeout("no SYN-ACK"), gateways.SupplierUnreachable),
        (httpx.PoolTimeout("no free connection"), gateways.SupplierUnreachable),
        (httpx.ReadTimeout("sent, no answer"), gateways.SupplierOutcomeUnknown),
        (httpx.RemoteProtocolError("dropped"), gateways.SupplierOutcomeUnknown),
        (httpx.Response(502), gateways.SupplierDown),
    ],
)
def test_what_the_gateway_makes_of_a_failure_to_book(failure, seen_as):
    """Only a request that never left is known to have booked nothing."""

    def transport(request):
        if isinstance(failure, Exception):
            raise failure
        return failure

    gateway = gateways.HttpSupplierGateway("http://supplier", connect_timeout=1, read_timeout=1)
    gateway.client = httpx.Client(
        base_url="http://supplier", transport=httpx.MockTransport(transport)
    )
    request = gateways.BookingRequest(
        "c-1", "LIS-1", timezone.now().date(), 1, "", "standard", 1, Decimal("100.00")
    )
    with pytest.raises(seen_as) as caught:
        gateway.book(request)
    assert type(caught.value) is seen_as
