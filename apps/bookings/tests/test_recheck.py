"""booking_recheck: the reconciliation of one booking, asked for by a merchant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bookings import gateways
from apps.bookings.dto import BookingRef, NewBooking
from apps.bookings.errors import BookingNotFound
from apps.bookings.models import BookingStatus, HotelBooking
from apps.bookings.services import booking_recheck
from apps.bookings.tests.paying import book_and_pay
from servicelayer.errors import Forbidden
from servicelayer.models import Event
from tests import factories


def book(shopper, hotel, start=7, **faults):
    stay = NewBooking.model_validate(factories.stay_input(hotel, start=start, nights=2))
    return book_and_pay(shopper, stay, faults=faults)


def ref(booking):
    return BookingRef(booking_id=booking.id)


def test_a_booking_the_supplier_holds_is_confirmed_with_its_event(
    shopper, merchant, make_hotel, sandbox
):
    pending = book(shopper, make_hotel(), book_then_timeout=1)
    other = book(shopper, make_hotel(), start=9)  # another booking: left alone
    assert pending.status == "pending_confirmation"
    HotelBooking.objects.filter(pk=other.id).update(status=BookingStatus.PENDING_CONFIRMATION)
    checked = booking_recheck(actor=merchant, data=ref(pending))
    assert checked.status == "confirmed"
    assert checked.supplier_reference
    assert HotelBooking.objects.get(pk=other.id).status == BookingStatus.PENDING_CONFIRMATION
    assert Event.objects.filter(kind="booking.confirmed", subject_id=pending.id).count() == 1


def test_not_found_fails_only_once_the_grace_period_has_passed(
    shopper, merchant, make_hotel, sandbox, settings
):
    booking = book(shopper, make_hotel())
    HotelBooking.objects.filter(pk=booking.id).update(status=BookingStatus.PENDING_CONFIRMATION)
    sandbox.reset()  # the supplier has no trace of it
    assert booking_recheck(actor=merchant, data=ref(booking)).status == "pending_confirmation"
    long_ago = timezone.now() - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 1)
    HotelBooking.objects.filter(pk=booking.id).update(created_at=long_ago, paid_at=long_ago)
    assert booking_recheck(actor=merchant, data=ref(booking)).status == "failed"
    assert HotelBooking.objects.get(pk=booking.id).failure_reason == "not_at_supplier"


def test_a_supplier_down_leaves_it_pending(shopper, merchant, make_hotel, sandbox, monkeypatch):
    booking = book(shopper, make_hotel(), book_then_timeout=1)

    def down(self, client_reference):
        raise gateways.SupplierDown("no route")

    monkeypatch.setattr(gateways.SandboxSupplierGateway, "find", down)
    assert booking_recheck(actor=merchant, data=ref(booking)).status == "pending_confirmation"


def test_a_settled_booking_is_returned_as_it_is(shopper, merchant, make_hotel, sandbox):
    booking = book(shopper, make_hotel())
    assert booking_recheck(actor=merchant, data=ref(booking)).status == "confirmed"
    assert Event.objects.filter(kind="booking.confirmed", subject_id=booking.id).count() == 1


def test_for_merchants_only(shopper, merchant, make_hotel, sandbox):
    booking = book(shopper, make_hotel())
    with pytest.raises(Forbidden):
        booking_recheck(actor=shopper, data=ref(booking))
    with pytest.raises(BookingNotFound):
        booking_recheck(actor=merchant, data=BookingRef(booking_id=99999))
