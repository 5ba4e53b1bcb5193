"""Hotels and bookings over REST. Translation only: every rule lives in the services."""

from apps.bookings import availability, selectors, services
from servicelayer.rest.routes import Routes

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
# 201 awaiting payment; paying it (payments' routes: bookings/{id}/payments/) books it
routes.post("bookings/", services.booking_book, status=201, idempotent=True)
routes.get("bookings/<pk:booking_id>/", selectors.booking_get, name="booking-detail")
routes.get("bookings/<pk:booking_id>/events/", selectors.booking_events, name="booking-events")
routes.post("bookings/<pk:booking_id>/cancel/", services.booking_cancel, name="booking-cancel")

urlpatterns = routes.urls()
