"""The travel desk's public interface (for the demo loader and other apps). Plain data only."""

from collections.abc import Iterable

from apps.bookings.models import Hotel

__all__ = ["hotel_ids_by_supplier_id"]


def hotel_ids_by_supplier_id(supplier_ids: Iterable[str]) -> dict[str, int]:
    """Our ids of the hotels with these supplier hotel ids."""
    rows = Hotel.objects.filter(supplier_hotel_id__in=set(supplier_ids)).values_list(
        "supplier_hotel_id", "id"
    )
    return dict(rows)
