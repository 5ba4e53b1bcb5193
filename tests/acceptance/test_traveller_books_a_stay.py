"""A traveller books a stay at a hotel's supplier, pays for it, and cancels: against the
services and the sandbox supplier, including a supplier that refuses after the payment (the
charge comes back) and one whose answer is lost (reconciled before any money moves); and one
who compares rates, books at the quoted price, pays, cancels under the policy and gets the
right refund, through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from apps.bookings.dto import BookingRef, NewHotel
from apps.bookings.errors import BookingRefused
from apps.bookings.models import HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile, hotel_create
from apps.bookings.tests.paying import book_and_pay, pay_booking, tasks_run
from apps.payments.models import Payment, Refund
from tests.acceptance.what_they_see import my_bookings, next_week


def payment_of(booking_id: int) -> Payment:
    return Payment.objects.get(payable_kind="booking", payable_id=booking_id)


def test_a_traveller_books_a_hotel_pays_and_later_cancels_for_free(merchant, shopper, sandbox):
    # The merchant offers a hotel known to the supplier as LIS-1.
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Casa Azul", city="Lisbon", supplier_hotel_id="LIS-1")
    )
    # A traveller books three nights next week with a wish: it awaits payment, and the
    # supplier has heard nothing yet.
    booking = booking_book(actor=shopper, data=next_week(hotel.id, 3))
    assert my_bookings(shopper) == {booking.id: "awaiting_payment"}
    assert sandbox.count() == 0
    # They pay; the supplier confirms it.
    pay_booking(shopper, booking.id)
    assert my_bookings(shopper) == {booking.id: "confirmed"}
    assert payment_of(booking.id).amount == booking.total_price
    assert sandbox.find(str(booking.client_reference)).guest_wish == "A quiet room, please."
    # Plans change: a week ahead, canceling is free. The supplier hears of it and the whole
    # payment comes back.
    with tasks_run():
        canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    assert (canceled.cancellation_fee, canceled.refund_due) == (0, booking.total_price)
    assert my_bookings(shopper) == {booking.id: "canceled"}
    assert sandbox.find(str(booking.client_reference)).status == "canceled"
    assert payment_of(booking.id).status == "refunded"


def test_a_full_hotel_and_a_supplier_that_refuses_after_the_payment(merchant, shopper, sandbox):
    full = hotel_create(
        actor=merchant, data=NewHotel(name="Full", city="Porto", supplier_hotel_id="OPO-1")
    )
    busy = hotel_create(
        actor=merchant, data=NewHotel(name="Busy", city="Porto", supplier_hotel_id="OPO-2")
    )
    # The first hotel is full: the traveller is told so when booking, and pays nothing.
    sandbox.faults.full_hotels = ["OPO-1"]
    with pytest.raises(BookingRefused):
        booking_book(actor=shopper, data=next_week(full.id, 2))
    assert my_bookings(shopper) == {}
    # The second has a room when booked, but is full by the time the payment is in: the
    # supplier refuses, the booking fails, and the charge is refunded whole.
    booking = book_and_pay(shopper, next_week(busy.id, 2), faults={"full_hotels": ["OPO-2"]})
    assert my_bookings(shopper) == {booking.id: "failed"}
    payment = payment_of(booking.id)
    assert (payment.status, payment.amount_refunded) == ("refunded", booking.total_price)
    assert sandbox.count() == 0


def test_a_lost_answer_is_reconciled_before_any_refund(merchant, shopper, sandbox, settings):
    slow = hotel_create(
        actor=merchant, data=NewHotel(name="Slow", city="Porto", supplier_hotel_id="OPO-3")
    )
    late = hotel_create(
        actor=merchant, data=NewHotel(name="Late", city="Faro", supplier_hotel_id="FAO-9")
    )
    # Paid, the supplier books the room but its answer never arrives: the traveller is told
    # the booking is being confirmed, and the payment stands: the outcome is unknown.
    booking = book_and_pay(shopper, next_week(slow.id, 2), faults={"book_then_timeout": 1})
    assert my_bookings(shopper) == {booking.id: "pending_confirmation"}
    assert payment_of(booking.id).status == "succeeded"
    # The reconciliation job asks the supplier and confirms it, once; nothing is refunded.
    booking_reconcile()
    assert my_bookings(shopper)[booking.id] == "confirmed"
    assert payment_of(booking.id).status == "succeeded"
    assert sandbox.count() == 1
    # At the other hotel the answer is lost and for two minutes the supplier has no trace of
    # it: only then is it failed and the payment refunded.
    first = book_and_pay(
        shopper, next_week(late.id, 2), faults={"book_then_timeout": 1, "hidden_lookups": 2}
    )
    booking_reconcile()  # no trace, but within the grace: still unknown, still paid
    assert my_bookings(shopper)[first.id] == "pending_confirmation"
    assert payment_of(first.id).status == "succeeded"
    HotelBooking.objects.filter(pk=first.id).update(
        paid_at=timezone.now() - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS + 2)
    )
    with tasks_run():
        booking_reconcile()
    assert my_bookings(shopper)[first.id] == "failed"
    assert payment_of(first.id).status == "refunded"
    # The traveller books again and pays; this time the supplier confirms at once. Then the
    # first booking turns up at the supplier: the next reconciliation cancels it there, so
    # the traveller holds one room, the one they paid for.
    sandbox.faults.update({"hidden_lookups": 0})
    second = book_and_pay(shopper, next_week(late.id, 2))
    assert booking_reconcile().orphans_canceled == [first.id]
    assert my_bookings(shopper)[second.id] == "confirmed"
    assert sandbox.find(str(first.client_reference)).status == "canceled"
    assert sandbox.find(str(second.client_reference)).status == "confirmed"


@pytest.mark.django_db(transaction=True)  # every request commits: tasks and mails follow for real
def test_a_traveller_compares_rates_books_at_the_quoted_price_pays_and_cancels_under_the_policy(
    merchant, make_user, sandbox, api
):
    cache.clear()
    traveller = make_user("tom", email="tom@example.com")
    desk = api(traveller)
    hotel = hotel_create(
        actor=merchant, data=NewHotel(name="Casa Azul", city="Lisbon", supplier_hotel_id="LIS-1")
    )
    day = timezone.now().date()
    stay = {"start_date": str(day + timedelta(days=5)), "end_date": str(day + timedelta(days=8))}
    # Tom asks what a family room costs for four, three nights in five days' time.
    rooms = desk.get(f"/api/hotels/{hotel.id}/availability/", stay | {"guests": 4}).json()["rooms"]
    (family,) = rooms
    assert family["cancellation_policy"]["free_until_days_before"] == 7  # too late to be free
    # Meanwhile the supplier raises its prices: booking at the old quote books nothing, and
    # Tom is told the new total.
    sandbox.faults.price_bump = 4
    order = stay | {"hotel_id": hotel.id, "room_type": "family", "guests": 4}
    refused = desk.post("/api/bookings/", order | {"quoted_total": family["total"]}, format="json")
    assert refused.status_code == 409
    new_total = refused.json()["error"]["details"]["new_total"]
    assert Decimal(new_total) == Decimal(family["total"]) + 12
    assert my_bookings(traveller) == {}
    # He accepts it: the booking awaits payment at exactly that price, with the policy shown.
    booked = desk.post("/api/bookings/", order | {"quoted_total": new_total}, format="json").json()
    assert (booked["status"], booked["total_price"]) == ("awaiting_payment", new_total)
    assert Decimal(booked["cancellation_fee"] or 0) == 0  # nothing to cancel before it is paid
    # He pays it (a retry under the same key is the same payment); the supplier confirms it.
    payments = f"/api/bookings/{booked['id']}/payments/"
    for _ in range(2):
        paid = desk.post(
            payments, {"card_token": "tok_visa"}, format="json", HTTP_IDEMPOTENCY_KEY="tom-pays"
        )
        assert (paid.status_code, paid.json()["amount"]) == (201, new_total)
    assert len(desk.get(payments).json()) == 1
    confirmed = desk.get(f"/api/bookings/{booked['id']}/").json()
    assert confirmed["status"] == "confirmed"
    assert Decimal(confirmed["cancellation_fee"]) == Decimal("50.00")
    mail.outbox.clear()
    # He cancels: inside 7 days the fee applies; what he paid minus the fee comes back.
    canceled = desk.post(f"/api/bookings/{booked['id']}/cancel/").json()
    assert canceled["status"] == "canceled"
    assert Decimal(canceled["refund_due"]) == Decimal(new_total) - 50
    (payment,) = desk.get(payments).json()
    assert payment["status"] == "succeeded"  # the fee is kept
    assert Decimal(payment["amount_refunded"]) == Decimal(new_total) - 50
    (refund,) = Refund.objects.all()
    assert (refund.amount, refund.status) == (Decimal(new_total) - 50, "succeeded")
    (cancel_mail,) = mail.outbox
    assert cancel_mail.to == ["tom@example.com"]
    mail.outbox.clear()
    # He books a standard room for two instead and pays; days later the hotel cancels it on
    # the supplier's side. The reconciliation job finds it, Tom hears of it by mail, and as
    # it was not his doing, all his money comes back.
    standard = desk.get(f"/api/hotels/{hotel.id}/availability/", stay).json()["rooms"][0]
    second = desk.post(
        "/api/bookings/",
        stay
        | {"hotel_id": hotel.id, "room_type": "standard", "guests": 2}
        | {"quoted_total": standard["total"]},
        format="json",
    ).json()
    desk.post(f"/api/bookings/{second['id']}/payments/", {"card_token": "tok_visa"}, format="json")
    second = desk.get(f"/api/bookings/{second['id']}/").json()
    assert second["status"] == "confirmed"
    mail.outbox.clear()
    HotelBooking.objects.filter(pk=second["id"]).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    sandbox.set_faults({"cancel_on_supplier": second["supplier_reference"]})
    assert booking_reconcile().canceled_by_supplier == [second["id"]]
    assert my_bookings(traveller) == {
        booked["id"]: "canceled",
        second["id"]: "canceled_by_supplier",
    }
    (supplier_mail,) = mail.outbox
    assert supplier_mail.to == ["tom@example.com"]
    assert "Casa Azul" in supplier_mail.body
    shown = desk.get(f"/api/bookings/{second['id']}/").json()
    assert (Decimal(shown["cancellation_fee"]), shown["refund_due"]) == (0, standard["total"])
    (refunded,) = desk.get(f"/api/bookings/{second['id']}/payments/").json()
    assert (refunded["status"], refunded["amount_refunded"]) == ("refunded", standard["total"])
