"""A traveller books a stay at a hotel's supplier, waits for an answer that came late, and
cancels: against the services and the sandbox supplier; and one who compares rates, books at
the quoted price and cancels under the policy, through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
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


@pytest.mark.django_db(transaction=True)  # every request commits: the mails follow for real
def test_a_traveller_compares_rates_books_at_the_quoted_price_and_cancels_under_the_policy(
    merchant, make_user, sandbox, api
):
    cache.clear()
    traveller = make_user("tom", email="tom@example.com")
    desk = api(traveller)
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Casa Azul", city="Lisbon", supplier_hotel_id="LIS-1")
    )
    day = timezone.now().date()
    stay = {"start_date": str(day + timedelta(days=5)), "end_date": str(day + timedelta(days=8))}
    # Tom asks what a family room costs for four, three nights in five days' time.
    rooms = desk.get(f"/api/hotels/{hotel.id}/availability/", stay | {"guests": 4}).json()["rooms"]
    (family,) = rooms
    assert family["cancellation_policy"]["free_until_days_before"] == 7  # too late to be free
    # Meanwhile the supplier raises its prices: booking at the old quote books nothing, and
    # Tom is told the new total.
    sandbox.faults.price_bump = 4
    order = stay | {"hotel_id": hotel.id, "room_type": "family", "guests": 4}
    refused = desk.post("/api/bookings/", order | {"quoted_total": family["total"]}, format="json")
    assert refused.status_code == 409
    new_total = refused.json()["error"]["details"]["new_total"]
    assert Decimal(new_total) == Decimal(family["total"]) + 12
    assert my_bookings(traveller) == {}
    # He accepts it, and is booked at exactly that price, with the policy shown.
    booked = desk.post("/api/bookings/", order | {"quoted_total": new_total}, format="json").json()
    assert (booked["status"], booked["total_price"]) == ("confirmed", new_total)
    assert Decimal(booked["cancellation_fee"]) == Decimal("50.00")
    mail.outbox.clear()
    # He cancels: inside 7 days the fee applies, and the answer says what is refunded.
    canceled = desk.post(f"/api/bookings/{booked['id']}/cancel/").json()
    assert canceled["status"] == "canceled"
    assert Decimal(canceled["refund_due"]) == Decimal(new_total) - 50
    (cancel_mail,) = mail.outbox
    assert cancel_mail.to == ["tom@example.com"]
    mail.outbox.clear()
    # He books a standard room for two instead; days later the hotel cancels it on the
    # supplier's side. The reconciliation job finds it, and Tom hears of it by mail.
    standard = desk.get(f"/api/hotels/{hotel.id}/availability/", stay).json()["rooms"][0]
    second = desk.post(
        "/api/bookings/",
        stay
        | {"hotel_id": hotel.id, "room_type": "standard", "guests": 2}
        | {"quoted_total": standard["total"]},
        format="json",
    ).json()
    mail.outbox.clear()
    HotelBooking.objects.filter(pk=second["id"]).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    sandbox.set_faults({"cancel_on_supplier": second["supplier_reference"]})
    assert booking_reconcile().canceled_by_supplier == [second["id"]]
    assert my_bookings(traveller) == {
        booked["id"]: "canceled",
        second["id"]: "canceled_by_supplier",
    }
    (supplier_mail,) = mail.outbox
    assert supplier_mail.to == ["tom@example.com"]
    assert "Casa Azul" in supplier_mail.body
    shown = desk.get(f"/api/bookings/{second['id']}/").json()
    assert (Decimal(shown["cancellation_fee"]), shown["refund_due"]) == (0, standard["total"])
