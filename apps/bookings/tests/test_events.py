"""A booking's events: paid, confirmed, failed, canceled and refunded, also when
reconciliation settles the outcome later; they are its history
(`GET /api/bookings/{id}/events/`)."""

import pytest

from apps.bookings.dto import BookingRef, NewBooking
from apps.bookings.errors import BookingRefused
from apps.bookings.models import HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile
from apps.bookings.tests.paying import book_and_pay, tasks_run
from apps.payments.models import Payment
from servicelayer.models import Event
from tests.factories import stay_input


def stay(hotel) -> NewBooking:
    return NewBooking.model_validate(stay_input(hotel))


def events_of(booking_id: int) -> list[tuple[str, dict[str, str]]]:
    rows = Event.objects.filter(subject="booking", subject_id=booking_id).order_by("id")
    return [(event.kind, event.payload) for event in rows]


def test_a_booking_paid_confirmed_then_canceled_and_refunded(shopper, make_hotel):
    booking = book_and_pay(shopper, stay(make_hotel()))
    with tasks_run():
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))  # changes nothing
    payment = Payment.objects.get()
    money = {"payment_id": payment.pk, "amount": str(payment.amount), "currency": "EUR"}
    assert events_of(booking.id) == [
        ("booking.paid", money),
        ("booking.confirmed", {"supplier_reference": booking.supplier_reference}),
        ("booking.canceled", {"cancellation_fee": "0.00", "refund_due": str(booking.total_price)}),
        ("booking.refunded", money),
    ]
    assert set(Event.objects.values_list("owner_id", flat=True)) == {shopper.pk}


def test_a_booking_refused_after_payment_is_failed_and_refunded(shopper, make_hotel, sandbox):
    book_and_pay(shopper, stay(make_hotel()), faults={"refuse": True})
    kinds = [kind for kind, _ in events_of(HotelBooking.objects.get().pk)]
    assert kinds == ["booking.paid", "booking.failed", "booking.refunded"]


def test_a_refused_booking_records_nothing(shopper, make_hotel, sandbox):
    sandbox.faults.refuse = True
    with pytest.raises(BookingRefused):
        booking_book(actor=shopper, data=stay(make_hotel()))
    assert not Event.objects.exists()


def test_an_unknown_outcome_has_its_event_when_reconciliation_settles_it(
    shopper, make_hotel, sandbox
):
    booking = book_and_pay(shopper, stay(make_hotel()), faults={"book_then_timeout": 1})
    assert [k for k, _ in events_of(booking.id)] == ["booking.paid"]  # nothing else to tell
    booking_reconcile()
    booking_reconcile()
    assert [k for k, _ in events_of(booking.id)] == ["booking.paid", "booking.confirmed"]


def test_the_history_is_for_the_traveller_and_merchants(
    api, shopper, other_shopper, merchant, make_hotel
):
    booking = book_and_pay(shopper, stay(make_hotel()))
    url = f"/api/bookings/{booking.id}/events/"
    for user in (shopper, merchant):
        response = api(user).get(url)
        assert response.status_code == 200
        kinds = [row["kind"] for row in response.json()["results"]]
        assert kinds == ["booking.paid", "booking.confirmed"]
    response = api(other_shopper).get(url)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "booking_not_found")
