"""Concurrency on PostgreSQL: a booking retried at once is made once, its payment retried at
once charges and books once, a hotel added twice at once exists once, and an orphan found by
two reconciliations at once is canceled once."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from apps.bookings.dto import NewBooking
from apps.bookings.models import Hotel, HotelBooking
from apps.bookings.services import booking_book, booking_reconcile
from apps.payments.models import Payment
from conftest import client_for
from tests.factories import stay, stay_input
from tests.races import run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_booking_sent_10_times_at_once_with_one_key_books_once(
    make_user, make_hotel, sandbox
):
    traveller, hotel = make_user(), make_hotel()
    payload = stay_input(hotel, start=4, nights=2)
    sandbox.faults.latency = 0.3  # the first is still at the supplier when the rest arrive
    clients = [client_for(traveller) for _ in range(10)]
    gate = threading.Barrier(len(clients))

    def book(client):
        try:
            gate.wait()
            return client.post(
                "/api/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="trip-to-lisbon"
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        results = list(pool.map(book, clients))

    assert sandbox.count() == 0  # nothing asked of the supplier before it is paid
    assert HotelBooking.objects.count() == 1
    statuses = Counter(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    booking_id = HotelBooking.objects.get().pk
    for response in results:
        if response.status_code == 201:
            assert response.json()["id"] == booking_id
        else:
            assert response.json()["error"]["code"] == "idempotency_request_in_progress"


def test_the_payment_of_a_stay_sent_10_times_at_once_charges_and_books_once(
    make_user, make_hotel, sandbox, gateway
):
    """Each with its own key, or the same: one payment is in flight at a time, the rest are
    told so (or that the booking is paid); the card is charged once, the stay booked once."""
    traveller = make_user()
    booking = booking_book(actor=traveller, data=_stay(make_hotel()))
    gateway.latency = 0.3  # the first is still at the gateway when the rest arrive
    clients = [client_for(traveller) for _ in range(10)]
    gate = threading.Barrier(len(clients))

    def pay(numbered):
        number, client = numbered
        try:
            gate.wait()
            return client.post(
                f"/api/bookings/{booking.id}/payments/",
                {"card_token": "tok_visa"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"pay-{number % 2}",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        results = list(pool.map(pay, enumerate(clients)))

    codes = Counter(
        r.json()["error"]["code"] if r.status_code >= 400 else r.status_code for r in results
    )
    assert codes[201] >= 1, codes
    assert set(codes) <= {
        201,
        "payment_in_progress",
        "booking_not_payable",
        "idempotency_request_in_progress",
    }
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert len(gateway.charges) == 1
    assert sandbox.count() == 1  # booked at the supplier by the one payment's task
    assert HotelBooking.objects.get().status == "confirmed"


def test_the_same_stay_booked_twice_at_once_without_a_key_is_never_open_twice(
    make_user, make_hotel, sandbox
):
    """The one-open-booking-per-stay rule lets one through, the other is told which unpaid
    booking of the stay it holds; paid, and its answer lost, the stay is then being
    confirmed and not booked again."""
    traveller, hotel = make_user(), make_hotel()
    payload = stay_input(hotel, start=4, nights=1)
    clients = [client_for(traveller) for _ in range(2)]
    gate = threading.Barrier(2)

    def book(client):
        try:
            gate.wait()
            return client.post("/api/bookings/", payload, format="json")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(book, clients))

    codes = sorted(
        (r.status_code, r.json().get("status") or r.json()["error"]["code"]) for r in results
    )
    assert codes == [(201, "awaiting_payment"), (409, "booking_awaiting_payment")]
    booking_id = HotelBooking.objects.get().pk
    sandbox.faults.book_then_timeout = 1
    client = clients[0]
    paid = client.post(
        f"/api/bookings/{booking_id}/payments/", {"card_token": "tok_visa"}, format="json"
    )
    assert paid.status_code == 201
    assert HotelBooking.objects.get().status == "pending_confirmation"
    again = client.post("/api/bookings/", payload, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "booking_unresolved")
    assert sandbox.count() == 1


def test_20_merchants_add_the_same_hotel_at_once_one_is_created_19_are_told_it_exists(
    make_user, make_hotel
):
    """Chosen interleaving: a competing transaction holds an uncommitted hotel with the same
    supplier id while the 20 requests arrive, so every one of them is past any look-up and
    waiting on the unique index; it then rolls back, and the 20 inserts race for the id."""
    merchant = make_user(staff=True)
    clients = [client_for(merchant) for _ in range(20)]
    for client in clients:
        client.raise_request_exception = False  # a 500 is counted, not raised
    payload = {"name": "Casa Azul", "city": "Lisbon", "supplier_hotel_id": "LIS-RACE"}
    gate = threading.Barrier(len(clients))
    competitor_holds, competitor_may_end = threading.Event(), threading.Event()

    def competitor():
        try:
            with transaction.atomic():
                make_hotel(supplier_hotel_id="LIS-RACE")
                competitor_holds.set()
                competitor_may_end.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connection.close()

    def create(client):
        try:
            gate.wait()
            return client.post("/api/hotels/", payload, format="json")
        finally:
            connection.close()

    holder = threading.Thread(target=competitor)
    holder.start()
    assert competitor_holds.wait(timeout=10)
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(create, client) for client in clients]
        _wait_for_inserts_blocked(len(clients))
        competitor_may_end.set()
        results = [future.result(timeout=30) for future in futures]
    holder.join(timeout=10)

    statuses = Counter(r.status_code for r in results)
    assert statuses == {201: 1, 409: 19}, statuses
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"hotel_exists"}
    assert Hotel.objects.filter(supplier_hotel_id="LIS-RACE").count() == 1


def _wait_for_inserts_blocked(count: int) -> None:
    """Until `count` inserts of a hotel wait for a lock (the competitor's unique index entry)."""
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"bookings_hotel\"%'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} inserts never waited together")


def test_two_reconciliations_at_once_cancel_an_orphan_once(
    make_user, make_hotel, sandbox, monkeypatch
):
    """Chosen interleaving: both runs have found the failed attempt at the supplier before
    either records it; one records and cancels, the other leaves it."""
    from apps.bookings import gateways

    hotel = make_hotel()
    attempt = HotelBooking.objects.create(  # a 500, and yet booked
        hotel=hotel,
        traveller=make_user(),
        start_date=_stay(hotel).start_date,
        end_date=_stay(hotel).end_date,
        status="failed",
        failure_reason="supplier_unavailable",
    )
    sandbox.book(
        {
            "clientReference": str(attempt.client_reference),
            "hotelId": hotel.supplier_hotel_id,
            "startDate": attempt.start_date.strftime("%d-%m-%Y"),
            "days": 1,
        }
    )
    both_found = threading.Barrier(2)
    find, cancels = gateways.SandboxSupplierGateway.find, []

    def find_together(self, client_reference):
        found = find(self, client_reference)
        both_found.wait(timeout=10)
        return found

    def cancel(self, reference):
        cancels.append(reference)
        sandbox.cancel(reference)

    monkeypatch.setattr(gateways.SandboxSupplierGateway, "find", find_together)
    monkeypatch.setattr(gateways.SandboxSupplierGateway, "cancel", cancel)

    def reconcile(_):
        try:
            return booking_reconcile().orphans_canceled
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(reconcile, range(2)))

    assert sorted(runs) == [[], [attempt.pk]]
    assert len(cancels) == 1
    assert sandbox.find(str(attempt.client_reference)).status == "canceled"
    attempt.refresh_from_db()
    assert attempt.orphan_canceled_at is not None


def _stay(hotel) -> NewBooking:
    return stay(hotel, start=4, nights=1)


def test_a_stay_canceled_twice_at_once_for_a_fee_is_refunded_once(make_user, make_hotel, sandbox):
    """Both cancels record the intent and reach the supplier; one settles the cancellation
    and its refund of what was paid minus the fee, the other finds it canceled."""
    from decimal import Decimal

    from apps.bookings.dto import BookingRef
    from apps.bookings.services import booking_cancel
    from apps.payments.dto import NewBookingPayment
    from apps.payments.models import Refund
    from apps.payments.services import payment_pay_booking

    traveller = make_user()
    booking = booking_book(actor=traveller, data=stay(make_hotel(), start=1, nights=2))
    payment_pay_booking(
        actor=traveller, data=NewBookingPayment(booking_id=booking.id, card_token="tok_visa")
    )
    assert HotelBooking.objects.get().status == "confirmed"  # its task ran on commit

    def cancel():
        return booking_cancel(actor=traveller, data=BookingRef(booking_id=booking.id))

    first, second = run_all([cancel, cancel])

    assert (first.status, second.status) == ("canceled", "canceled")
    fee = (booking.total_price * Decimal("0.2")).quantize(Decimal("0.01"))
    (refund,) = Refund.objects.all()
    assert (refund.amount, refund.status) == (booking.total_price - fee, "succeeded")
    assert Payment.objects.get().amount_refunded == booking.total_price - fee
