"""Hotels and bookings in the back office: a delivery like REST and the CLI.

Hotels are created and edited with hotel_create / hotel_update (the form is checked against
NewHotel and HotelChanges), archived and restored with their services, never deleted. A booking
is read only: it is canceled at the supplier (booking_cancel, as the merchant), and one whose
outcome is unknown is asked about now (booking_recheck, the reconciliation of that one
booking); nothing deletes a booking, which stands for a stay at the supplier."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
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
from apps.roles import MERCHANT
from servicelayer.adminkit import (
    Button,
    CsvExport,
    DateRangeFilter,
    Panel,
    ServiceButtons,
    actor_of,
    error_text,
    history_panel,
    run_each,
)
from servicelayer.dto import DTO, validate_input
from servicelayer.errors import InvalidInput, ServiceError

# --- hotels -------------------------------------------------------------------------------


class HotelForm(forms.ModelForm[Hotel]):
    """The hotel's fields, checked against the service's DTO (`dto`: None if nothing changed).
    A supplier id already taken is a form error; taken meanwhile (two merchants at once), it
    is the service's HotelExists, a message (HotelAdmin.changeform_view)."""

    dto: DTO | None = None

    class Meta:
        model = Hotel
        fields = ["name", "city", "supplier_hotel_id"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        adding = self.instance.pk is None
        names = ["name", "city", "supplier_hotel_id"] if adding else ["name", "city"]
        data = {name: cleaned[name] for name in names if name in cleaned}
        if not adding:
            data = {name: value for name, value in data.items() if name in self.changed_data}
            if not data:
                return cleaned
            data["hotel_id"] = self.instance.pk
        try:
            self.dto = validate_input(NewHotel if adding else HotelChanges, data)
        except InvalidInput as error:
            for name, problems in error.fields.items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        return cleaned


def _hotel(hotel_id: int) -> HotelRef:
    return HotelRef(hotel_id=hotel_id)


@admin.register(Hotel)
class HotelAdmin(ServiceButtons, CsvExport):
    role = MERCHANT  # who may use these pages: any merchant, as the services say
    form = HotelForm
    list_display = ("id", "name", "city", "supplier_hotel_id", "is_active")
    list_filter = ("is_active", "city")
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
    actions = ["archive", "restore"]

    @admin.action(description="Archive the selected hotels", permissions=["act"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Hotel]) -> None:
        ids = queryset.order_by("id").values_list("id", flat=True)
        items = ((f"Hotel #{pk}", _hotel(pk)) for pk in ids)
        run_each(request, hotel_archive, items, done="Archived {count} hotel(s).")

    @admin.action(description="Restore the selected hotels", permissions=["act"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Hotel]) -> None:
        ids = queryset.order_by("id").values_list("id", flat=True)
        items = ((f"Hotel #{pk}", _hotel(pk)) for pk in ids)
        run_each(request, hotel_restore, items, done="Restored {count} hotel(s).")

    def get_readonly_fields(self, request: HttpRequest, obj: Hotel | None = None) -> list[str]:
        # the supplier's id names the hotel there: hotel_update does not change it
        return [] if obj is None else ["supplier_hotel_id", "is_active"]

    def get_fields(self, request: HttpRequest, obj: Hotel | None = None) -> tuple[str, ...]:
        fields = ("name", "city", "supplier_hotel_id")
        return fields if obj is None else (*fields, "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its bookings point at it: archive instead

    def save_model(self, request: HttpRequest, obj: Hotel, form: Any, change: bool) -> None:
        """Through the service, never obj.save(): the form's DTO is its input."""
        if form.dto is None:
            return
        if change:
            out = hotel_update(actor=actor_of(request), data=form.dto)
        else:
            out = hotel_create(actor=actor_of(request), data=form.dto)
            obj.pk = out.id
        for name, value in out.model_dump().items():
            setattr(obj, name, value)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:  # HotelExists: another merchant added it meanwhile
            self.message_user(request, error_text(error), level="error")
            return HttpResponseRedirect(request.get_full_path())


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
            return queryset.filter(status__in=UNRESOLVED).order_by("created_at")
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
    actions = ["cancel", "recheck"]
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

    @admin.action(description="Cancel the selected bookings at the supplier", permissions=["act"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[HotelBooking]) -> None:
        ids = queryset.order_by("id").values_list("id", flat=True)
        items = ((f"Booking #{pk}", _booking(pk)) for pk in ids)
        run_each(request, booking_cancel, items, done="Canceled {count} booking(s).")

    @admin.action(
        description="Ask the supplier now about the selected bookings", permissions=["act"]
    )
    def recheck(self, request: HttpRequest, queryset: QuerySet[HotelBooking]) -> None:
        ids = queryset.filter(status__in=UNRESOLVED).order_by("id").values_list("id", flat=True)
        items = ((f"Booking #{pk}", _booking(pk)) for pk in ids)
        run_each(
            request, booking_recheck, items, done="Asked the supplier about {count} booking(s)."
        )

    @admin.display(description="waiting for the supplier")
    def waiting(self, booking: HotelBooking) -> str:
        """How long an unresolved booking has waited for the supplier's word."""
        if booking.status not in UNRESOLVED:
            return "-"
        return timesince(booking.created_at, timezone.now())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # bookings change through the services, which talk to the supplier

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a booking stands for a stay at the supplier: cancel it there

    def panels(self, request: HttpRequest, obj: HotelBooking) -> list[Panel]:
        return [history_panel("booking", obj.pk)]
