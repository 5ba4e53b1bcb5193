"""A booking's events: confirmed, failed and canceled, also when reconciliation settles the
outcome later; they are its history (`GET /api/bookings/{id}/events/`)."""

import pytest

from apps.bookings.dto import BookingRef, NewBooking
from apps.bookings.errors import BookingRefused
from apps.bookings.models import HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile
from servicelayer.models import Event
from tests.factories import stay_input


def stay(hotel) -> NewBooking:
    return NewBooking.model_validate(stay_input(hotel))


def events_of(booking_id: int) -> list[tuple[str, dict[str, str]]]:
    rows = Event.objects.filter(subject="booking", subject_id=booking_id).order_by("id")
    return [(event.kind, event.payload) for event in rows]


def test_a_booking_confirmed_then_canceled(shopper, make_hotel):
    booking = booking_book(actor=shopper, data=stay(make_hotel()))
    booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))  # changes nothing
    assert events_of(booking.id) == [
        ("booking.confirmed", {"supplier_reference": booking.supplier_reference}),
        ("booking.canceled", {"cancellation_fee": "0.00", "refund_due": str(booking.total_price)}),
    ]
    assert set(Event.objects.values_list("owner_id", flat=True)) == {shopper.pk}


def test_a_refused_booking_is_failed(shopper, make_hotel, sandbox):
    sandbox.faults.refuse = True
    with pytest.raises(BookingRefused):
        booking_book(actor=shopper, data=stay(make_hotel()))
    [(kind, payload)] = events_of(HotelBooking.objects.get().pk)
    assert kind == "booking.failed"
    assert set(payload) == {"failure_reason"}


def test_an_unknown_outcome_has_its_event_when_reconciliation_settles_it(
    shopper, make_hotel, sandbox
):
    sandbox.faults.book_then_timeout = 1
    booking = booking_book(actor=shopper, data=stay(make_hotel()))
    assert events_of(booking.id) == []  # pending confirmation: nothing to tell yet
    booking_reconcile()
    booking_reconcile()
    [(kind, _)] = events_of(booking.id)
    assert kind == "booking.confirmed"


def test_the_history_is_for_the_traveller_and_merchants(
    api, shopper, other_shopper, merchant, make_hotel
):
    booking = booking_book(actor=shopper, data=stay(make_hotel()))
    url = f"/api/bookings/{booking.id}/events/"
    for user in (shopper, merchant):
        response = api(user).get(url)
        assert response.status_code == 200
        assert [row["kind"] for row in response.json()["results"]] == ["booking.confirmed"]
    response = api(other_shopper).get(url)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "booking_not_found")
