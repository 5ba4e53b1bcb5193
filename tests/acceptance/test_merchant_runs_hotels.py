"""A merchant offers hotels, stops taking bookings for one and takes them again: the services
and the sandbox supplier."""

import pytest

from apps.bookings.dto import HotelQuery, HotelRef, NewHotel
from apps.bookings.errors import HotelExists, HotelNotFound
from apps.bookings.selectors import hotel_list
from apps.bookings.services import booking_book, hotel_archive, hotel_create, hotel_restore
from apps.bookings.tests.paying import book_and_pay
from tests.acceptance.what_they_see import my_bookings, next_week


def hotels_on_offer(traveller):
    return [h["name"] for h in hotel_list(actor=traveller, params=HotelQuery()).results]


def test_a_merchant_archives_a_hotel_and_its_bookings_stay_until_it_is_restored(
    merchant, shopper, sandbox
):
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Casa Azul", city="Lisbon", supplier_hotel_id="LIS-1")
    )
    # The supplier knows one hotel by one id: a second hotel under it is refused.
    with pytest.raises(HotelExists):
        hotel_create(
            actor=merchant, data=NewHotel(name="Copy", city="Lisbon", supplier_hotel_id="LIS-1")
        )
    booked = book_and_pay(shopper, next_week(hotel.id, 2))
    # The hotel leaves the offer: nobody books it now, and the booking made stands.
    hotel_archive(actor=merchant, data=HotelRef(hotel_id=hotel.id))
    assert hotels_on_offer(shopper) == []
    with pytest.raises(HotelNotFound):
        booking_book(actor=shopper, data=next_week(hotel.id, 3))
    assert my_bookings(shopper) == {booked.id: "confirmed"}
    # Back on offer, it takes bookings again.
    hotel_restore(actor=merchant, data=HotelRef(hotel_id=hotel.id))
    assert hotels_on_offer(shopper) == ["Casa Azul"]
    again = book_and_pay(shopper, next_week(hotel.id, 3))
    assert my_bookings(shopper) == {booked.id: "confirmed", again.id: "confirmed"}
    assert sandbox.count() == 2
