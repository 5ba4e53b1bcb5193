from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "apps.bookings"
    label = "bookings"

    def ready(self) -> None:
        # Payments knows a booking only as a payable reference and these callbacks.
        from apps.bookings.services import BOOKING_PAYABLE
        from apps.payments.interface import BOOKING, register_payable

        register_payable(BOOKING, BOOKING_PAYABLE)
