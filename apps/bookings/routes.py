"""Hotels and bookings over REST. Translation only: every rule lives in the services."""

from typing import Any

from apps.bookings import availability, selectors, services
from servicelayer.rest.routes import Routes


def _accepted_if_unconfirmed(booking: Any) -> int:
    """202 while the supplier's answer is still unknown, 201 once it is booked."""
    return 202 if booking.status == "pending_confirmation" else 201


routes = Routes(tag="bookings")
routes.get("hotels/", selectors.hotel_list, name="hotel-list")
routes.post("hotels/", services.hotel_create, status=201)
routes.get("hotels/<pk:hotel_id>/", selectors.hotel_get, name="hotel-detail")
routes.patch("hotels/<pk:hotel_id>/", services.hotel_update)
routes.get(
    "hotels/<pk:hotel_id>/availability/",
    availability.hotel_availability,
    name="hotel-availability",
)
routes.post("hotels/<pk:hotel_id>/archive/", services.hotel_archive, name="hotel-archive")
routes.post("hotels/<pk:hotel_id>/restore/", services.hotel_restore, name="hotel-restore")
routes.get("bookings/", selectors.booking_list, name="booking-list")
routes.post(
    "bookings/",
    services.booking_book,
    status=201,
    status_for=_accepted_if_unconfirmed,
    other_statuses=[202],
    idempotent=True,
)
routes.get("bookings/<pk:booking_id>/", selectors.booking_get, name="booking-detail")
routes.get("bookings/<pk:booking_id>/events/", selectors.booking_events, name="booking-events")
routes.post("bookings/<pk:booking_id>/cancel/", services.booking_cancel, name="booking-cancel")

urlpatterns = routes.urls()
