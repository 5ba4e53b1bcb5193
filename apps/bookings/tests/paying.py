"""Booking a stay the way a traveller does since stays are paid: book at the quoted total,
pay, and let what payment enqueues run (the supplier booking, a refund), as a worker would
once the transaction commits."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import TestCase

from apps.bookings.dto import BookingOut, BookingRef, NewBooking
from apps.bookings.gateways import sandbox_supplier
from apps.bookings.selectors import booking_get
from apps.bookings.services import booking_book
from apps.payments.dto import NewBookingPayment
from apps.payments.services import payment_pay_booking


@contextmanager
def tasks_run() -> Iterator[None]:
    """Run the tasks enqueued inside the block when it ends, as a worker would after the
    commit (tests with the `db` fixture never commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def pay_booking(actor: Any, booking_id: int, token: str = "tok_visa") -> Any:
    with tasks_run():
        return payment_pay_booking(
            actor=actor, data=NewBookingPayment(booking_id=booking_id, card_token=token)
        )


def book_and_pay(
    actor: Any,
    data: NewBooking,
    *,
    token: str = "tok_visa",
    faults: dict[str, Any] | None = None,
) -> BookingOut:
    """Book the stay, pay it (`faults` set at the supplier in between: they then hit the
    booking at the supplier, not the quote), and answer the booking as it is after."""
    booking = booking_book(actor=actor, data=data)
    if faults:
        sandbox_supplier().faults.update(faults)
    pay_booking(actor, booking.id, token)
    return current(actor, booking.id)


def current(actor: Any, booking_id: int) -> BookingOut:
    return BookingOut.model_validate(booking_get(actor=actor, booking_id=booking_id))


def ref(booking: Any) -> BookingRef:
    return BookingRef(booking_id=booking.id)
