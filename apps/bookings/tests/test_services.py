"""Booking services against the in-process sandbox supplier: every rule."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import TestCase
from django.utils import timezone

from apps.bookings.dto import BookingQuery, BookingRef, HotelChanges, HotelRef, NewBooking, NewHotel
from apps.bookings.errors import (
    BookingNotCancelable,
    BookingNotFound,
    BookingRefused,
    HotelExists,
    HotelNotFound,
    InvalidStay,
    StayAwaitingPayment,
    SupplierUnavailable,
)
from apps.bookings.models import BookingStatus, HotelBooking
from apps.bookings.selectors import booking_list
from apps.bookings.services import (
    StayBeingConfirmed,
    booking_book,
    booking_cancel,
    booking_reconcile,
    hotel_archive,
    hotel_create,
    hotel_update,
)
from apps.bookings.tests.paying import book_and_pay, current, pay_booking
from apps.payments.models import Payment
from servicelayer.errors import Forbidden, InvalidInput
from tests import factories

TODAY = date.today


def stay_input(hotel, *, start=7, nights=3, wish="") -> dict[str, Any]:
    """A week from now, three nights: a stay as a client sends it (untrusted, maybe invalid)."""
    return factories.stay_input(hotel, start=start, nights=nights, special_wishes=wish)


def stay(hotel, **kwargs: Any) -> NewBooking:
    return NewBooking.model_validate(stay_input(hotel, **kwargs))


def test_a_confirmed_booking_carries_the_suppliers_reference(shopper, make_hotel, sandbox):
    hotel = make_hotel(supplier_hotel_id="LIS-42")
    booking = book_and_pay(shopper, stay(hotel, nights=4, wish="sea view"))
    assert booking.status == "confirmed"
    assert booking.nights == 4
    [at_supplier] = sandbox.bookings.values()
    assert booking.supplier_reference == at_supplier.ref_number
    assert str(booking.client_reference) == at_supplier.client_reference
    # the payload the article describes: supplier hotel id, dd-mm-yyyy, days, the wish
    start = timezone.now().date() + timedelta(days=7)
    assert (at_supplier.hotel_id, at_supplier.start_date) == ("LIS-42", start.strftime("%d-%m-%Y"))
    assert (at_supplier.days, at_supplier.guest_wish) == (4, "sea view")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": -1}, "start_date"),
        ({"nights": 0}, "non_field_errors"),
        ({"nights": 31}, "non_field_errors"),
        ({"wish": "x" * 501}, "special_wishes"),
    ],
)
def test_a_stay_must_make_sense(shopper, make_hotel, sandbox, change, field):
    with pytest.raises(InvalidInput) as caught:
        booking_book.spec.call(actor=shopper, data=stay_input(make_hotel(), **change))
    assert field in caught.value.fields
    assert not HotelBooking.objects.exists()
    assert sandbox.count() == 0


def test_a_stay_in_the_past_is_an_invalid_stay(shopper, make_hotel):
    with pytest.raises(InvalidStay):
        booking_book(actor=shopper, data=stay(make_hotel(), start=-3))


def test_thirty_nights_are_fine_and_today_is_not_the_past(shopper, make_hotel):
    assert booking_book(actor=shopper, data=stay(make_hotel(), start=0, nights=30)).nights == 30


def test_an_archived_or_unknown_hotel_is_not_found(shopper, make_hotel):
    archived = make_hotel(is_active=False)
    with pytest.raises(HotelNotFound):
        booking_book(actor=shopper, data=stay(archived))
    with pytest.raises(HotelNotFound):
        booking_book(actor=shopper, data=stay(archived).model_copy(update={"hotel_id": 99999}))


def test_a_full_hotel_is_refused_when_booked_and_nothing_is_recorded(shopper, make_hotel, sandbox):
    hotel = make_hotel(supplier_hotel_id="FULL")
    sandbox.faults.full_hotels = ["FULL"]
    with pytest.raises(BookingRefused) as caught:
        booking_book(actor=shopper, data=stay(hotel))
    assert caught.value.details == {"reason": "no_availability"}
    assert booking_list(actor=shopper, params=BookingQuery()).results == []
    assert not HotelBooking.objects.exists()


def test_a_refusal_after_payment_fails_the_booking_and_refunds_the_charge(
    shopper, make_hotel, sandbox
):
    hotel = make_hotel(supplier_hotel_id="FULL")
    booking = book_and_pay(shopper, stay(hotel), faults={"full_hotels": ["FULL"]})
    assert booking.status == "failed"  # paid, so the traveller sees it, with the refund
    attempt = HotelBooking.objects.get()
    assert (attempt.status, attempt.failure_reason) == (BookingStatus.FAILED, "hotel_full")
    payment = Payment.objects.get()
    assert (payment.status, payment.amount_refunded) == ("refunded", payment.amount)
    assert sandbox.count() == 0


def test_a_supplier_that_is_down_at_booking_records_nothing(shopper, make_hotel, sandbox):
    sandbox.faults.error_rate = 1.0
    with pytest.raises(SupplierUnavailable):
        booking_book(actor=shopper, data=stay(make_hotel()))
    assert sandbox.count() == 0
    assert not HotelBooking.objects.exists()


def test_a_supplier_that_cannot_be_reached_after_payment_refunds_it(
    shopper, make_hotel, sandbox, monkeypatch
):
    from apps.bookings import gateways

    booking = booking_book(actor=shopper, data=stay(make_hotel()))

    def unreachable(self, request):
        raise gateways.SupplierUnreachable("no connection")

    monkeypatch.setattr(gateways.SandboxSupplierGateway, "book", unreachable)
    pay_booking(shopper, booking.id)
    assert current(shopper, booking.id).status == "failed"
    assert HotelBooking.objects.get().failure_reason == "supplier_unreachable"
    assert Payment.objects.get().status == "refunded"


def test_no_answer_leaves_the_booking_pending_until_reconciliation_confirms_it(
    shopper, make_hotel, sandbox
):
    booking = book_and_pay(shopper, stay(make_hotel()), faults={"book_then_timeout": 1})
    assert booking.status == "pending_confirmation"
    assert booking.supplier_reference == ""
    assert sandbox.count() == 1  # it was made, we just never heard
    assert Payment.objects.get().status == "succeeded"  # no refund while it is unknown
    result = booking_reconcile()
    assert (result.confirmed, result.failed) == ([booking.id], [])
    settled = HotelBooking.objects.get()
    assert settled.status == BookingStatus.CONFIRMED
    assert settled.supplier_reference == sandbox.find(str(settled.client_reference)).ref_number
    assert booking_reconcile().confirmed == []  # exactly once


def test_latency_beyond_the_read_timeout_is_an_unknown_outcome(
    shopper, make_hotel, sandbox, settings
):
    settings.SUPPLIER_READ_TIMEOUT = 1.0
    booking = book_and_pay(shopper, stay(make_hotel()), faults={"latency": 5.0})
    assert booking.status == "pending_confirmation"


def test_the_same_stay_is_not_booked_again_while_its_outcome_is_unknown(
    shopper, make_hotel, sandbox
):
    hotel = make_hotel()
    book_and_pay(shopper, stay(hotel), faults={"book_then_timeout": 1})
    with pytest.raises(StayBeingConfirmed):
        booking_book(actor=shopper, data=stay(hotel))
    assert sandbox.count() == 1
    booking_reconcile()
    assert book_and_pay(shopper, stay(hotel)).status == "confirmed"  # a second room


def test_an_unpaid_booking_of_the_same_stay_is_named_and_not_doubled(shopper, make_hotel):
    hotel = make_hotel()
    unpaid = booking_book(actor=shopper, data=stay(hotel))
    assert (unpaid.status, unpaid.paid_at) == ("awaiting_payment", None)
    with pytest.raises(StayAwaitingPayment) as caught:
        booking_book(actor=shopper, data=stay(hotel))
    assert caught.value.details == {"booking_id": unpaid.id}
    booking_cancel(actor=shopper, data=BookingRef(booking_id=unpaid.id))
    assert booking_book(actor=shopper, data=stay(hotel)).status == "awaiting_payment"


def test_only_the_one_unresolved_attempt_per_stay_rule_is_told_being_confirmed(
    shopper, make_hotel, sandbox, monkeypatch
):
    """Another violation (here two attempts drawing the same client reference) is no
    "being confirmed": nothing of this stay is unresolved, and the supplier is not called."""
    first = book_and_pay(shopper, stay(make_hotel()))
    field = HotelBooking._meta.get_field("client_reference")
    monkeypatch.setattr(field, "_get_default", lambda: first.client_reference)
    with pytest.raises(IntegrityError):
        booking_book(actor=shopper, data=stay(make_hotel()))
    assert sandbox.count() == 1


def test_an_attempt_the_supplier_never_saw_fails_after_the_grace_period(
    shopper, make_hotel, settings
):
    hotel = make_hotel()
    stale = HotelBooking.objects.create(
        hotel=hotel,
        traveller=shopper,
        start_date=TODAY() + timedelta(days=3),
        end_date=TODAY() + timedelta(days=4),
        status=BookingStatus.PENDING,  # as a crash between recording and calling leaves it
    )
    settings.SUPPLIER_RECONCILE_GRACE_SECONDS = 60
    assert booking_reconcile().failed == []  # too recent: maybe still in flight
    HotelBooking.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert booking_reconcile().failed == [stale.pk]
    stale.refresh_from_db()
    assert (stale.status, stale.failure_reason) == ("failed", "not_at_supplier")


def test_an_unexpected_error_after_the_call_leaves_a_pending_row_reconciliation_settles(
    shopper, make_hotel, sandbox, monkeypatch, settings
):
    """Whatever breaks once the attempt is recorded (here: the supplier booked, then our
    side failed), the row is `pending`, never lost: once the grace has passed it is asked
    about like any other, and the stay cannot be booked twice meanwhile."""
    from apps.bookings import gateways

    book = gateways.SandboxSupplierGateway.book

    def book_then_break(self, request):
        book(self, request)
        raise RuntimeError("a bug after the supplier answered")

    hotel = make_hotel()
    booking = booking_book(actor=shopper, data=stay(hotel))
    monkeypatch.setattr(gateways.SandboxSupplierGateway, "book", book_then_break)
    pay_booking(shopper, booking.id)  # the task breaks (logged, as a worker's would be)
    monkeypatch.undo()
    attempt = HotelBooking.objects.get()
    assert attempt.status == BookingStatus.PENDING
    assert Payment.objects.get().status == "succeeded"
    with pytest.raises(StayBeingConfirmed):
        booking_book(actor=shopper, data=stay(hotel))
    # within the grace since it was paid (however old the booking): maybe in flight
    HotelBooking.objects.filter(pk=attempt.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert booking_reconcile().confirmed == []
    HotelBooking.objects.filter(pk=attempt.pk).update(
        paid_at=timezone.now() - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 1)
    )
    assert booking_reconcile().confirmed == [attempt.pk]
    attempt.refresh_from_db()
    assert attempt.supplier_reference == sandbox.find(str(attempt.client_reference)).ref_number
    assert sandbox.count() == 1


def test_a_supplier_down_during_reconciliation_leaves_bookings_unresolved(
    shopper, make_hotel, sandbox, monkeypatch
):
    from apps.bookings import gateways

    booking = book_and_pay(shopper, stay(make_hotel()), faults={"book_then_timeout": 1})

    def down(self, client_reference):
        raise gateways.SupplierDown("no route")

    monkeypatch.setattr(gateways.SandboxSupplierGateway, "find", down)
    assert booking_reconcile().unresolved == [booking.id]
    assert HotelBooking.objects.get().status == BookingStatus.PENDING_CONFIRMATION


def test_cancel_at_the_supplier_then_here(shopper, make_hotel, sandbox):
    booking = book_and_pay(shopper, stay(make_hotel()))
    assert (
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id)).status == "canceled"
    )
    assert sandbox.find(str(booking.client_reference)).status == "canceled"
    assert (
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id)).status == "canceled"
    )


def test_a_cancel_while_the_supplier_is_down_changes_nothing(shopper, make_hotel, monkeypatch):
    from apps.bookings import gateways

    booking = book_and_pay(shopper, stay(make_hotel()))

    def down(self, reference):
        raise gateways.SupplierDown("no route")

    monkeypatch.setattr(gateways.SandboxSupplierGateway, "cancel", down)
    with pytest.raises(SupplierUnavailable):
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    row = HotelBooking.objects.get()
    assert row.status == BookingStatus.CONFIRMED
    assert row.cancel_requested_at is not None  # the intent stays, for reconciliation
    assert Payment.objects.get().status == "succeeded"  # nothing refunded


def test_only_confirmed_bookings_are_canceled(shopper, make_hotel, sandbox):
    booking = book_and_pay(shopper, stay(make_hotel()), faults={"book_then_timeout": 1})
    with pytest.raises(BookingNotCancelable):
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))


def test_travellers_reach_only_their_own_bookings_merchants_all(
    shopper, other_shopper, merchant, make_hotel
):
    booking = book_and_pay(shopper, stay(make_hotel()))
    with pytest.raises(BookingNotFound):
        booking_cancel(actor=other_shopper, data=BookingRef(booking_id=booking.id))
    assert booking_list(actor=other_shopper, params=BookingQuery()).results == []
    assert (
        booking_cancel(actor=merchant, data=BookingRef(booking_id=booking.id)).status == "canceled"
    )


def test_merchants_filter_bookings_by_hotel_status_and_dates(
    shopper, merchant, make_hotel, sandbox
):
    lisbon, porto = make_hotel(), make_hotel()
    first = book_and_pay(shopper, stay(lisbon, start=3))
    second = book_and_pay(shopper, stay(porto, start=10))
    booking_cancel(actor=shopper, data=BookingRef(booking_id=first.id))

    def ids(**query):
        return [b["id"] for b in booking_list(actor=merchant, params=BookingQuery(**query)).results]

    assert ids() == [second.id, first.id]
    assert ids(hotel_id=lisbon.pk) == [first.id]
    assert ids(status="confirmed") == [second.id]
    assert ids(starts_from=(TODAY() + timedelta(days=5)).isoformat()) == [second.id]
    assert ids(starts_until=(TODAY() + timedelta(days=5)).isoformat()) == [first.id]


def test_merchants_manage_hotels(merchant, shopper, make_hotel):
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Sol", city="Faro", supplier_hotel_id="FAO-1")
    )
    with pytest.raises(HotelExists):
        hotel_create(
            actor=merchant, data=NewHotel(name="Sol 2", city="Faro", supplier_hotel_id="FAO-1")
        )
    assert (
        hotel_update(actor=merchant, data=HotelChanges(hotel_id=hotel.id, city="Lagos")).city
        == "Lagos"
    )
    assert hotel_archive(actor=merchant, data=HotelRef(hotel_id=hotel.id)).is_active is False
    with pytest.raises(Forbidden):
        hotel_create(actor=shopper, data=NewHotel(name="X", city="Y", supplier_hotel_id="Z"))
    with pytest.raises(HotelNotFound):
        hotel_update(actor=merchant, data=HotelChanges(hotel_id=99999, name="X"))


# --- attempts the supplier books after we failed them -------------------------------------


def aged(booking_id, seconds, *, field="created_at"):
    """Time travel: the booking was created and paid (or last changed) this many seconds ago."""
    when = timezone.now() - timedelta(seconds=seconds)
    fields = {field: when}
    if field == "created_at" and HotelBooking.objects.filter(pk=booking_id, paid_at__isnull=False):
        fields["paid_at"] = when
    HotelBooking.objects.filter(pk=booking_id).update(**fields)


def test_a_booking_the_supplier_makes_after_the_grace_is_canceled_there_once(
    shopper, make_hotel, sandbox, settings
):
    """The article's case: no answer; at t+122 s the supplier has no trace, so the attempt
    fails and the traveller books again; at t+130 s the first turns up at the supplier."""
    hotel = make_hotel()
    faults = {"book_then_timeout": 1, "hidden_lookups": 1}
    first = book_and_pay(shopper, stay(hotel), faults=faults)
    aged(first.id, settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 2)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the refund's task
        assert booking_reconcile().failed == [first.id]  # not at the supplier (yet)
    assert Payment.objects.get().status == "refunded"  # refunded once it is known
    sandbox.faults.update({"hidden_lookups": 0})
    second = book_and_pay(shopper, stay(hotel))
    assert second.status == "confirmed"
    assert sandbox.count() == 2  # two bookings at the supplier for one stay

    result = booking_reconcile()

    assert result.orphans_canceled == [first.id]
    orphan = sandbox.find(str(first.client_reference))
    assert orphan.status == "canceled"
    assert sandbox.find(str(second.client_reference)).status == "confirmed"
    attempt = HotelBooking.objects.get(pk=first.id)
    assert (attempt.status, attempt.failure_reason) == (BookingStatus.FAILED, "not_at_supplier")
    assert attempt.supplier_reference == orphan.ref_number
    assert attempt.orphan_canceled_at is not None
    assert booking_list(actor=shopper, params=BookingQuery()).results[0]["id"] == second.id
    assert booking_list(actor=shopper, params=BookingQuery()).results[1]["status"] == "failed"
    assert booking_reconcile().orphans_canceled == []  # once


def test_a_5xx_after_payment_is_an_unknown_outcome_reconciled_before_any_refund(
    shopper, make_hotel, sandbox
):
    booking = book_and_pay(shopper, stay(make_hotel()), faults={"book_then_fail": 1})
    assert booking.status == "pending_confirmation"  # a 5xx may have booked: no refund
    assert Payment.objects.get().status == "succeeded"
    assert booking_reconcile().confirmed == [booking.id]  # it had: the stay stands
    assert Payment.objects.get().status == "succeeded"
    assert sandbox.find(str(booking.client_reference)).status == "confirmed"


def failed_attempt(traveller, hotel, reason, sandbox):
    """A failed attempt of ours that the supplier holds nonetheless."""
    attempt = HotelBooking.objects.create(
        hotel=hotel,
        traveller=traveller,
        start_date=TODAY() + timedelta(days=3),
        end_date=TODAY() + timedelta(days=4),
        status=BookingStatus.FAILED,
        failure_reason=reason,
    )
    sandbox.book(
        {
            "clientReference": str(attempt.client_reference),
            "hotelId": hotel.supplier_hotel_id,
            "startDate": attempt.start_date.strftime("%d-%m-%Y"),
            "days": 1,
        }
    )
    return attempt


@pytest.mark.parametrize("reason", ["hotel_full", "supplier_unreachable", "canceled_at_supplier"])
def test_a_refusal_or_a_request_that_never_left_is_final_and_never_asked_about(
    shopper, make_hotel, sandbox, monkeypatch, reason
):
    from apps.bookings import gateways

    failed_attempt(shopper, make_hotel(), reason, sandbox)
    monkeypatch.setattr(gateways.SandboxSupplierGateway, "find", None)  # any look-up breaks
    assert booking_reconcile().orphans_canceled == []


def test_failed_attempts_are_asked_about_for_the_window_only(
    shopper, make_hotel, sandbox, settings
):
    settings.SUPPLIER_RECONCILE_WINDOW_SECONDS = 3600
    old = failed_attempt(shopper, make_hotel(), "not_at_supplier", sandbox)
    recent = failed_attempt(shopper, make_hotel(), "not_at_supplier", sandbox)
    aged(old.pk, 3601)
    aged(recent.pk, 3599)
    assert booking_reconcile().orphans_canceled == [recent.pk]
    assert sandbox.find(str(old.client_reference)).status == "confirmed"  # past asking


def test_an_orphan_the_supplier_will_not_cancel_now_is_canceled_later_even_past_the_window(
    shopper, make_hotel, sandbox, settings, monkeypatch
):
    from apps.bookings import gateways

    attempt = failed_attempt(shopper, make_hotel(), "supplier_unavailable", sandbox)

    def down(self, reference):
        raise gateways.SupplierDown("no route")

    with monkeypatch.context() as patched:
        patched.setattr(gateways.SandboxSupplierGateway, "cancel", down)
        assert booking_reconcile().orphans_canceled == []
    found = HotelBooking.objects.get()
    assert found.supplier_reference == sandbox.find(str(attempt.client_reference)).ref_number
    assert found.orphan_canceled_at is None  # found, recorded, not canceled yet
    assert booking_reconcile().orphans_canceled == []  # another run may be on it
    aged(attempt.pk, settings.SUPPLIER_RECONCILE_WINDOW_SECONDS + 1)
    aged(attempt.pk, settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 1, field="updated_at")
    assert booking_reconcile().orphans_canceled == [attempt.pk]
    assert sandbox.find(str(attempt.client_reference)).status == "canceled"
