"""What a shopper, a merchant or a traveller looks at in the stories, in their words."""

from django.contrib.auth.models import User

from apps.bookings.dto import BookingQuery, NewBooking
from apps.bookings.selectors import booking_list
from apps.catalog.interface import products_by_ids, variants_by_ids
from apps.ordering.selectors import order_get
from tests.factories import stay


def units_left(product_id: int) -> int:
    """A product's units on sale: the sum over its active variants."""
    return products_by_ids([product_id])[product_id].stock


def variant_units_left(variant_id: int) -> int:
    return variants_by_ids([variant_id])[variant_id].stock


def status_of(order_id: int, who: User) -> str:
    status: str = order_get(actor=who, order_id=order_id)["status"]
    return status


def my_bookings(traveller: User) -> dict[int, str]:
    return {
        b["id"]: b["status"] for b in booking_list(actor=traveller, params=BookingQuery()).results
    }


def next_week(hotel_id: int, nights: int) -> NewBooking:
    return stay(hotel_id, start=7, nights=nights, special_wishes="A quiet room, please.")
