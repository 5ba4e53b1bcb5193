"""Hotels and bookings over REST. Translation only: every rule lives in the services."""

from typing import Any

from apps.actors import ANYONE, TRAVELLER
from apps.bookings import selectors, services
from apps.bookings.dto import BookingOut, BookingQuery, HotelOut, HotelQuery
from apps.bookings.errors import BookingNotFound, HotelNotFound
from servicelayer.rest.views import ServiceAPIView, read_endpoint, service_endpoint

HOTEL = {"pk": "hotel_id"}
BOOKING = {"pk": "booking_id"}


def _accepted_if_unconfirmed(booking: Any) -> int:
    """202 while the supplier's answer is still unknown, 201 once it is booked."""
    return 202 if booking.status == "pending_confirmation" else 201


class HotelCollection(ServiceAPIView):
    get = read_endpoint(
        selectors.hotel_list, actor=ANYONE, params=HotelQuery, output=HotelOut, paginated=True
    )
    post = service_endpoint(services.hotel_create, status=201)


class HotelDetail(ServiceAPIView):
    get = read_endpoint(
        selectors.hotel_get, actor=ANYONE, output=HotelOut, url_kwargs=HOTEL, errors=[HotelNotFound]
    )
    patch = service_endpoint(services.hotel_update, url_kwargs=HOTEL)


class HotelArchive(ServiceAPIView):
    post = service_endpoint(services.hotel_archive, url_kwargs=HOTEL)


class HotelRestore(ServiceAPIView):
    post = service_endpoint(services.hotel_restore, url_kwargs=HOTEL)


class BookingCollection(ServiceAPIView):
    get = read_endpoint(
        selectors.booking_list,
        actor=TRAVELLER,
        params=BookingQuery,
        output=BookingOut,
        paginated=True,
    )
    post = service_endpoint(
        services.booking_book,
        status=201,
        status_for=_accepted_if_unconfirmed,
        other_statuses=[202],
        idempotent=True,
    )


class BookingDetail(ServiceAPIView):
    get = read_endpoint(
        selectors.booking_get,
        actor=TRAVELLER,
        output=BookingOut,
        url_kwargs=BOOKING,
        errors=[BookingNotFound],
    )


class BookingCancel(ServiceAPIView):
    post = service_endpoint(services.booking_cancel, url_kwargs=BOOKING)
