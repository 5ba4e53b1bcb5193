"""Inputs and outputs of the travel desk's services and reads."""

from datetime import date, datetime
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from servicelayer.dto import DTO, Id, Output

MAX_NIGHTS = 30
Status = Literal["pending", "pending_confirmation", "confirmed", "failed", "canceled"]


class NewHotel(DTO):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    supplier_hotel_id: str = Field(
        min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", description="The supplier's id."
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
    special_wishes: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _a_stay(self) -> Self:
        if self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date.")
        if (self.end_date - self.start_date).days > MAX_NIGHTS:
            raise ValueError(f"A stay is at most {MAX_NIGHTS} nights.")
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
    supplier_hotel_id: str
    is_active: bool


class BookingOut(Output):
    id: int
    hotel_id: int
    hotel_name: str
    traveller: str
    start_date: date
    end_date: date
    nights: int
    special_wishes: str
    status: Status
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


HOTEL_FIELDS = tuple(HotelOut.model_fields)
