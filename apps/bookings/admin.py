"""Hotels and bookings in the back office: a delivery like REST and the CLI.

Hotels are created and edited with hotel_create / hotel_update (the form is checked against
NewHotel and HotelChanges), archived and restored with their services, never deleted. A booking
is read only: it is canceled at the supplier (booking_cancel, as the merchant), and one whose
outcome is unknown is asked about now (booking_recheck, the reconciliation of that one
booking); nothing deletes a booking, which stands for a stay at the supplier."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from apps.bookings.dto import BookingRef, HotelChanges, HotelRef, NewHotel
from apps.bookings.models import UNRESOLVED, BookingStatus, Hotel, HotelBooking
from apps.bookings.services import (
    booking_cancel,
    booking_recheck,
    hotel_archive,
    hotel_create,
    hotel_restore,
    hotel_update,
)
from apps.payments.interface import BOOKING, PAYMENT_TABLE_COLUMNS, payment_table
from apps.roles import MERCHANT
from servicelayer.adminkit import (
    Button,
    CsvExport,
    DateRangeFilter,
    Panel,
    ServiceButtons,
    ServiceModelForm,
    ServiceSave,
    bulk_action,
    change_link,
    history_panel,
)

# --- hotels -------------------------------------------------------------------------------


class HotelForm(ServiceModelForm):
    """Checked against NewHotel or HotelChanges (its supplier and the id there are fixed once
    made). A supplier id already taken is a form error; taken meanwhile (two merchants at
    once), it is the service's HotelExists, a message (ServiceSave)."""

    new = NewHotel
    changes = HotelChanges
    ref = "hotel_id"
    creates = ("name", "city", "supplier", "supplier_hotel_id")
    updates = ("name", "city")

    class Meta:
        model = Hotel
        fields = ["name", "city", "supplier", "supplier_hotel_id"]


def _hotel(hotel_id: int) -> HotelRef:
    return HotelRef(hotel_id=hotel_id)


@admin.register(Hotel)
class HotelAdmin(ServiceSave, ServiceButtons, CsvExport):
    role = MERCHANT  # who may use these pages: any merchant, as the services say
    form = HotelForm
    create_service = hotel_create
    update_service = hotel_update
    list_display = ("id", "name", "city", "supplier", "supplier_hotel_id", "is_active")
    list_filter = ("is_active", "supplier", "city")
    search_fields = ("name", "city", "supplier_hotel_id")
    buttons = (
        Button(
            "archive",
            "Archive",
            hotel_archive,
            _hotel,
            done="{obj.name} takes no more bookings.",
            shown=lambda hotel: hotel.is_active,
        ),
        Button(
            "restore",
            "Restore",
            hotel_restore,
            _hotel,
            done="{obj.name} takes bookings again.",
            shown=lambda hotel: not hotel.is_active,
        ),
    )
    csv_columns = (
        ("id", "id"),
        ("name", "name"),
        ("city", "city"),
        ("supplier_hotel_id", "supplier_hotel_id"),
        ("is_active", "is_active"),
    )
    actions = [
        bulk_action(
            hotel_archive,
            _hotel,
            name="archive",
            description="Archive the selected hotels",
            done="Archived {count} hotel(s).",
            label="Hotel #{pk}",
        ),
        bulk_action(
            hotel_restore,
            _hotel,
            name="restore",
            description="Restore the selected hotels",
            done="Restored {count} hotel(s).",
            label="Hotel #{pk}",
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Hotel | None = None) -> list[str]:
        # where its bookings live, and its id there: hotel_update changes neither
        return [] if obj is None else ["supplier", "supplier_hotel_id", "is_active"]

    def get_fields(self, request: HttpRequest, obj: Hotel | None = None) -> tuple[str, ...]:
        fields = ("name", "city", "supplier", "supplier_hotel_id")
        return fields if obj is None else (*fields, "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its bookings point at it: archive instead


# --- bookings -----------------------------------------------------------------------------


def _booking(booking_id: int) -> BookingRef:
    return BookingRef(booking_id=booking_id)


class AwaitingFilter(admin.SimpleListFilter):
    title = "supplier's answer"
    parameter_name = "awaiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Awaiting confirmation")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[HotelBooking]
    ) -> QuerySet[HotelBooking]:
        if self.value() == "yes":
            return queryset.filter(status__in=UNRESOLVED).order_by("paid_at", "created_at")
        return queryset


@admin.register(HotelBooking)
class HotelBookingAdmin(ServiceButtons, CsvExport):
    """Read only, with the buttons the services offer: cancel at the supplier, ask it now."""

    role = MERCHANT  # who may use these pages: any merchant, as the services say

    list_display = (
        "id",
        "hotel",
        "traveller",
        "start_date",
        "end_date",
        "status",
        "total_price",
        "paid_at",
        "waiting",
        "created_at",
    )
    list_filter = (AwaitingFilter, "status", ("created_at", DateRangeFilter), "hotel")
    search_fields = (
        "=id",
        "client_reference",
        "supplier_reference",
        "traveller__username",
        "traveller__email",
    )
    list_select_related = ("hotel", "traveller")
    ordering = ("-id",)
    readonly_fields = ("waiting",)
    buttons = (
        Button(
            "cancel",
            "Cancel at the supplier",
            booking_cancel,
            _booking,
            done="Booking #{obj.pk} is {obj.status}.",
            shown=lambda booking: booking.status == BookingStatus.CONFIRMED,
            confirm="Cancel this stay at the supplier, under its cancellation policy?",
        ),
        Button(
            "recheck",
            "Ask the supplier now",
            booking_recheck,
            _booking,
            done="Booking #{obj.pk}: the supplier was asked; it is {obj.status}.",
            shown=lambda booking: booking.status in UNRESOLVED,
        ),
    )
    actions = [
        bulk_action(
            booking_cancel,
            _booking,
            name="cancel",
            description="Cancel the selected bookings at the supplier",
            done="Canceled {count} booking(s).",
            label="Booking #{pk}",
        ),
        bulk_action(
            booking_recheck,
            _booking,
            name="recheck",
            description="Ask the supplier now about the selected bookings",
            done="Asked the supplier about {count} booking(s).",
            label="Booking #{pk}",
            only=lambda bookings: bookings.filter(status__in=UNRESOLVED),
        ),
    ]
    csv_columns = (
        ("id", "id"),
        ("created_at", "created_at"),
        ("hotel", "hotel__name"),
        ("traveller", "traveller__username"),
        ("email", "traveller__email"),
        ("start_date", "start_date"),
        ("end_date", "end_date"),
        ("status", "status"),
        ("total_price", "total_price"),
        ("currency", "currency"),
        ("cancellation_fee", "cancellation_fee"),
        ("client_reference", "client_reference"),
        ("supplier_reference", "supplier_reference"),
        ("failure_reason", "failure_reason"),
    )

    @admin.display(description="waiting for the supplier")
    def waiting(self, booking: HotelBooking) -> str:
        """How long an unresolved booking has waited for the supplier's word."""
        if booking.status not in UNRESOLVED:
            return "-"
        return timesince(booking.attempted_at, timezone.now())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # bookings change through the services, which talk to the supplier

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a booking stands for a stay at the supplier: cancel it there

    def panels(self, request: HttpRequest, obj: HotelBooking) -> list[Panel]:
        payments = payment_table(BOOKING, obj.pk, self.payment_link)
        return [
            Panel("Payments and refunds", PAYMENT_TABLE_COLUMNS, payments, empty="No payment yet."),
            history_panel("booking", obj.pk),
        ]

    def payment_link(self, payment_id: int) -> str:
        return change_link(self.admin_site.name, "payments_payment", payment_id, f"#{payment_id}")
