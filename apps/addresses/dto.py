"""Inputs and outputs of the address book's services and reads."""

from datetime import datetime
from typing import Self

from pydantic import Field, model_validator

from apps.countries import Country
from servicelayer.dto import DTO, Id, Output

Name = Field(min_length=1, max_length=200, description="Who receives the parcel.")
Line = Field(min_length=1, max_length=200)
OptionalLine = Field(default="", max_length=200)
City = Field(min_length=1, max_length=100)
PostalCode = Field(min_length=1, max_length=20)
Phone = Field(default="", max_length=30, pattern=r"^[0-9+() ./-]*$")


class NewAddress(DTO):
    name: str = Name
    line1: str = Line
    line2: str = OptionalLine
    city: str = City
    postal_code: str = PostalCode
    country: Country
    phone: str = Phone
    is_default: bool = Field(
        default=False,
        description="Make it the default address; your first address is the default anyway.",
    )


class AddressChanges(DTO):
    """A partial update: only the fields given change (the default is set on its own)."""

    address_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=200)
    line1: str | None = Field(default=None, min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    country: Country | None = None
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+() ./-]*$")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"address_id"}
        if not changed:
            raise ValueError("Give at least one field to change.")
        for name in changed:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class AddressRef(DTO):
    address_id: Id


class AddressOut(Output):
    id: int
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


ADDRESS_FIELDS = tuple(AddressOut.model_fields)
