from django.contrib import admin

from apps.bookings.models import Hotel, HotelBooking


@admin.register(Hotel)
class HotelAdmin(admin.ModelAdmin[Hotel]):
    list_display = ("id", "name", "city", "supplier", "supplier_hotel_id", "is_active")
    list_filter = ("is_active", "supplier", "city")
    search_fields = ("name", "city", "supplier_hotel_id")

    def get_readonly_fields(self, request: object, obj: Hotel | None = None) -> tuple[str, ...]:
        # its bookings live at its supplier, and are asked about there
        return ("supplier",) if obj is not None else ()


@admin.register(HotelBooking)
class HotelBookingAdmin(admin.ModelAdmin[HotelBooking]):
    """Read only: bookings change through the services, which talk to the supplier."""

    list_display = (
        "id",
        "hotel",
        "traveller",
        "start_date",
        "end_date",
        "status",
        "total_price",
        "paid_at",
        "created_at",
    )
    list_filter = ("status", "hotel")
    search_fields = ("client_reference", "supplier_reference", "traveller__username")
    list_select_related = ("hotel", "traveller")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
