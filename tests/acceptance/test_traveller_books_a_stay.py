"""A traveller books a stay at a hotel's supplier, waits for an answer that came late, and
cancels: against the services and the sandbox supplier."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bookings.dto import BookingRef, NewHotel
from apps.bookings.errors import BookingRefused
from apps.bookings.models import HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile, hotel_create
from tests.acceptance.what_they_see import my_bookings, next_week


def test_a_traveller_books_a_hotel_and_later_cancels(merchant, shopper, sandbox):
    # The merchant offers a hotel known to the supplier as LIS-1.
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Casa Azul", city="Lisbon", supplier_hotel_id="LIS-1")
    )
    # A traveller books three nights next week with a wish; the supplier confirms it.
    booking = booking_book(actor=shopper, data=next_week(hotel.id, 3))
    assert booking.status == "confirmed"
    assert sandbox.find(str(booking.client_reference)).guest_wish == "A quiet room, please."
    # Plans change: the traveller cancels, and the supplier hears of it.
    booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    assert my_bookings(shopper) == {booking.id: "canceled"}
    assert sandbox.find(str(booking.client_reference)).status == "canceled"


def test_a_full_hotel_and_a_supplier_that_answers_too_late(merchant, shopper, sandbox):
    full = hotel_create(
        actor=merchant, data=NewHotel(name="Full", city="Porto", supplier_hotel_id="OPO-1")
    )
    slow = hotel_create(
        actor=merchant, data=NewHotel(name="Slow", city="Porto", supplier_hotel_id="OPO-2")
    )
    # The first hotel is full: the traveller is told so and has no booking.
    sandbox.faults.full_hotels = ["OPO-1"]
    with pytest.raises(BookingRefused):
        booking_book(actor=shopper, data=next_week(full.id, 2))
    assert my_bookings(shopper) == {}
    # The second books the room but its answer never arrives: the traveller is told the
    # booking is being confirmed, and it is not lost.
    sandbox.faults.book_then_timeout = 1
    booking = booking_book(actor=shopper, data=next_week(slow.id, 2))
    assert my_bookings(shopper) == {booking.id: "pending_confirmation"}
    # The reconciliation job asks the supplier and confirms it, once.
    booking_reconcile()
    assert my_bookings(shopper) == {booking.id: "confirmed"}
    assert sandbox.count() == 1


def test_a_supplier_that_books_after_we_gave_up_does_not_keep_a_second_room(
    merchant, shopper, sandbox, settings
):
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Late", city="Faro", supplier_hotel_id="FAO-9")
    )
    # The supplier does not answer, and for two minutes has no trace of the booking: it is
    # failed, and the traveller no longer sees it.
    sandbox.faults.update({"book_then_timeout": 1, "hidden_lookups": 1})
    first = booking_book(actor=shopper, data=next_week(hotel.id, 2))
    HotelBooking.objects.filter(pk=first.id).update(
        created_at=timezone.now() - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 2)
    )
    booking_reconcile()
    assert my_bookings(shopper) == {}
    # The traveller books again, and this time the supplier confirms at once.
    sandbox.faults.update({"hidden_lookups": 0})
    second = booking_book(actor=shopper, data=next_week(hotel.id, 2))
    # Then the first booking turns up at the supplier: the next reconciliation cancels it
    # there, so the traveller holds one room, the one they see.
    assert booking_reconcile().orphans_canceled == [first.id]
    assert my_bookings(shopper) == {second.id: "confirmed"}
    assert sandbox.find(str(first.client_reference)).status == "canceled"
    assert sandbox.find(str(second.client_reference)).status == "confirmed"
