"""Availability and rates: a read that asks the supplier, cached for a short while.

It is a `@query` (REST reads are queries: `GET /api/hotels/{id}/availability/`) with a gateway
call, not an outside service: it changes nothing, here or at the supplier, so there is no
intent to record before the call nor an outcome to settle after it, which is what
`call_outside` is for. Like every read endpoint it runs in no transaction, so no lock is held
while the supplier answers. The only thing it writes is a cache entry (never a row): the
supplier's offers for (hotel, dates, guests), kept AVAILABILITY_CACHE_SECONDS, so that a
traveller paging through dates does not ask the supplier each time. A quote may thus be a
little stale; booking never trusts it: the supplier checks the total it is sent
(`rate_changed` otherwise).

It sits between the services and the selectors|gateways layer: it reads models and calls the
gateway, and nothing below imports it.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from apps.bookings.dto import AvailabilityOut, AvailabilityQuery
from apps.bookings.errors import HotelNotFound, InvalidStay, SupplierUnavailable
from apps.bookings.gateways import AvailabilityRequest, SupplierDown, supplier_for
from apps.bookings.models import Hotel
from apps.bookings.pricing import RoomOffer
from apps.roles import TRAVELLER
from servicelayer.queries import query


def _cache_key(hotel: Hotel, request: AvailabilityRequest) -> str:
    return (
        f"bookings:availability:{hotel.supplier}:{request.supplier_hotel_id}:"
        f"{request.start_date.isoformat()}:{request.end_date.isoformat()}:{request.guests}"
    )


def supplier_offers(
    hotel: Hotel, request: AvailabilityRequest, *, fresh: bool = False
) -> list[RoomOffer]:
    """The hotel's supplier's offers for this stay, from the cache if it asked lately
    (`fresh`: asked now, as booking does, and cached for the next look-up). SupplierDown is
    not cached: the next look-up asks again."""
    key = _cache_key(hotel, request)
    offers: list[RoomOffer] | None = None if fresh else cache.get(key)
    if offers is None:
        offers = supplier_for(hotel).availability(request)
        cache.set(key, offers, timeout=settings.AVAILABILITY_CACHE_SECONDS)
    return offers


@query(
    role=TRAVELLER,
    output=AvailabilityOut,
    errors=[HotelNotFound, InvalidStay, SupplierUnavailable],
)
def hotel_availability(*, actor: User, hotel_id: int, params: AvailabilityQuery) -> dict[str, Any]:
    """The room types that sleep `guests` from `start_date` to `end_date`: nightly rates,
    total (book with it as `quoted_total`) and cancellation policy. Asked of the supplier, and
    cached for AVAILABILITY_CACHE_SECONDS. Supplier down: 503."""
    today = timezone.now().date()
    if params.start_date < today:
        raise InvalidStay(fields={"start_date": ["A stay cannot start in the past."]})
    hotel = Hotel.objects.filter(pk=hotel_id, is_active=True).first()
    if hotel is None:
        raise HotelNotFound()
    request = AvailabilityRequest(
        supplier_hotel_id=hotel.supplier_hotel_id,
        start_date=params.start_date,
        end_date=params.end_date,
        guests=params.guests,
    )
    try:
        offers = supplier_offers(hotel, request)
    except SupplierDown:
        raise SupplierUnavailable(
            "The hotel's supplier is unavailable; no rates to show. Try again."
        ) from None
    return {
        "hotel_id": hotel.pk,
        "start_date": params.start_date,
        "end_date": params.end_date,
        "nights": (params.end_date - params.start_date).days,
        "guests": params.guests,
        "rooms": [
            {
                "room_type": offer.room_type,
                "name": offer.name,
                "max_guests": offer.max_guests,
                "currency": offer.currency,
                "nightly_rates": [
                    {"date": rate.night, "price": rate.price} for rate in offer.nightly_rates
                ],
                "total": offer.total,
                "cancellation_policy": offer.policy.as_json(),
                "free_cancellation_until": offer.policy.free_until(params.start_date, today=today),
            }
            for offer in offers
        ],
    }
