"""The travel desk's public interface (for the demo loader and other apps). Plain data only."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from apps.bookings.models import Hotel, HotelBooking
from apps.bookings.selectors import AwaitingBooking, BookingFigures, awaiting_confirmation

__all__ = [
    "AwaitingBooking",
    "BookingFigures",
    "BookingSummary",
    "awaiting_confirmation",
    "booking_summary",
    "hotel_ids_by_supplier_id",
]


def hotel_ids_by_supplier_id(supplier_ids: Iterable[str]) -> dict[str, int]:
    """Our ids of the hotels with these supplier hotel ids."""
    rows = Hotel.objects.filter(supplier_hotel_id__in=set(supplier_ids)).values_list(
        "supplier_hotel_id", "id"
    )
    return dict(rows)


@dataclass(frozen=True)
class BookingSummary:
    """A booking as its traveller is told of it."""

    id: int
    traveller_id: int
    status: str
    hotel_name: str
    hotel_city: str
    start_date: date
    end_date: date
    nights: int
    reference: str  # our client reference, the one the traveller quotes
    supplier_reference: str
    failure_reason: str


def booking_summary(booking_id: int) -> BookingSummary | None:
    """The booking as it is now (one query); None if there is no such booking."""
    booking = HotelBooking.objects.select_related("hotel").filter(pk=booking_id).first()
    if booking is None:
        return None
    return BookingSummary(
        id=booking.pk,
        traveller_id=booking.traveller_id,
        status=booking.status,
        hotel_name=booking.hotel.name,
        hotel_city=booking.hotel.city,
        start_date=booking.start_date,
        end_date=booking.end_date,
        nights=booking.nights,
        reference=str(booking.client_reference),
        supplier_reference=booking.supplier_reference,
        failure_reason=booking.failure_reason,
    )
