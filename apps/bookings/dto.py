"""Inputs and outputs of the travel desk's services and reads."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from servicelayer.dto import DTO, Id, Output

MAX_NIGHTS = 30
MAX_GUESTS = 8
MAX_TOTAL = Decimal("99999999.99")  # HotelBooking.total_price holds no more
Status = Literal[
    "awaiting_payment",
    "expired",
    "pending",
    "pending_confirmation",
    "confirmed",
    "failed",
    "canceled",
    "canceled_by_supplier",
]
RoomType = Field(
    min_length=1, max_length=30, pattern=r"^[a-z0-9_-]+$", description="As availability names it."
)
Guests = Field(default=1, ge=1, le=MAX_GUESTS, description=f"1 to {MAX_GUESTS}.")
# the hotel's supplier: models.SupplierName (a test keeps the two the same)
Supplier = Literal["roomline", "stayhub"]


def check_stay(start_date: date, end_date: date) -> None:
    """The dates make a stay: it ends after it starts, and lasts at most MAX_NIGHTS nights.
    (A start in the past is the services' InvalidStay: it depends on today.)"""
    if end_date <= start_date:
        raise ValueError("end_date must be after start_date.")
    if (end_date - start_date).days > MAX_NIGHTS:
        raise ValueError(f"A stay is at most {MAX_NIGHTS} nights.")


class NewHotel(DTO):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    supplier_hotel_id: str = Field(
        min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", description="The supplier's id."
    )
    supplier: Supplier = Field(
        default="roomline",
        description="Where the hotel is booked (fixed once it has bookings): RoomLine or StayHub.",
    )


class HotelChanges(DTO):
    hotel_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"hotel_id"}
        if not changed or any(getattr(self, name) is None for name in changed):
            raise ValueError("Give a new name or city.")
        return self


class HotelRef(DTO):
    hotel_id: Id


class NewBooking(DTO):
    hotel_id: Id
    start_date: date = Field(description="The day of arrival.")
    end_date: date = Field(description="The day of departure, after the start.")
    room_type: str = RoomType
    guests: int = Guests
    quoted_total: Decimal = Field(
        ge=0,
        le=MAX_TOTAL,
        decimal_places=2,
        description="The total availability quoted: booked at this price or not at all.",
    )
    special_wishes: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _a_stay(self) -> Self:
        check_stay(self.start_date, self.end_date)
        return self


class AvailabilityQuery(DTO):
    start_date: date = Field(description="The day of arrival.")
    end_date: date = Field(description="The day of departure, after the start.")
    guests: int = Guests

    @model_validator(mode="after")
    def _a_stay(self) -> Self:
        check_stay(self.start_date, self.end_date)
        return self


class BookingRef(DTO):
    booking_id: Id


class BookingQuery(DTO):
    hotel_id: Id | None = Field(default=None, description="Merchants: only this hotel.")
    status: Status | None = Field(default=None, description="Only bookings with this status.")
    starts_from: date | None = Field(default=None, description="Stays starting on or after.")
    starts_until: date | None = Field(default=None, description="Stays starting on or before.")
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class HotelQuery(DTO):
    city: str | None = Field(default=None, max_length=100, description="Exact city, any case.")
    search: str | None = Field(default=None, max_length=100, description="Name contains.")
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class HotelOut(Output):
    id: int
    name: str
    city: str
    supplier: Supplier
    supplier_hotel_id: str
    is_active: bool


class NightlyRateOut(Output):
    date: date
    price: Decimal


class CancellationPolicyOut(Output):
    free_until_days_before: int = Field(description="Free to cancel until this many days before.")
    fee_type: Literal["fixed", "percent"]
    fee_value: Decimal = Field(description="An amount (fixed) or a percentage of the total.")


class RoomOfferOut(Output):
    room_type: str
    name: str
    max_guests: int
    currency: str
    nightly_rates: list[NightlyRateOut]
    total: Decimal = Field(description="What booking it costs: send it back as quoted_total.")
    cancellation_policy: CancellationPolicyOut
    free_cancellation_until: date | None = Field(
        description="The last day it can be canceled free; null: never free."
    )


class AvailabilityOut(Output):
    hotel_id: int
    start_date: date
    end_date: date
    nights: int
    guests: int
    rooms: list[RoomOfferOut] = Field(description="Room types that sleep the guests; [] if full.")


class BookingOut(Output):
    id: int
    hotel_id: int
    hotel_name: str
    traveller: str
    start_date: date
    end_date: date
    nights: int
    special_wishes: str
    room_type: str
    guests: int
    total_price: Decimal
    currency: str
    cancellation_policy: CancellationPolicyOut
    cancellation_fee: Decimal | None = Field(
        description="Confirmed: what canceling today would cost; canceled: what it cost, "
        "kept from the payment; null when there is nothing to cancel (or it has started)."
    )
    refund_due: Decimal | None = Field(
        description="total_price minus cancellation_fee: what canceling gives back of the "
        "payment (canceled: what was refunded)."
    )
    status: Status
    paid_at: datetime | None = Field(
        description="When it was paid; null while it awaits payment (pay it at "
        "/api/bookings/{id}/payments/)."
    )
    client_reference: UUID
    supplier_reference: str
    created_at: datetime
    updated_at: datetime


class Reconciled(Output):
    confirmed: list[int] = Field(description="Bookings the supplier has: now confirmed.")
    failed: list[int] = Field(description="Bookings the supplier does not have: now failed.")
    unresolved: list[int] = Field(description="Still unknown (supplier down, or too recent).")
    orphans_canceled: list[int] = Field(
        description="Failed attempts the supplier turned out to hold after all: canceled there."
    )
    canceled_by_supplier: list[int] = Field(
        default_factory=list,
        description="Confirmed stays coming up that the supplier canceled on its side.",
    )
    canceled: list[int] = Field(
        default_factory=list,
        description="Stays the traveller asked to cancel whose answer was lost: canceled "
        "there, now canceled here with the fee recorded when they asked.",
    )


class ExpiredBookings(Output):
    expired: list[int]


HOTEL_FIELDS = tuple(HotelOut.model_fields)
