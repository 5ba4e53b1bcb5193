"""Stays: availability and rates, booking at the quoted price, cancellation under the policy,
and stays the supplier cancels on its side."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.bookings.dto import BookingRef, NewBooking
from apps.bookings.errors import RateChanged, StayStarted
from apps.bookings.models import HotelBooking
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile
from servicelayer.models import Event
from tests.factories import stay, stay_input


@pytest.fixture(autouse=True)
def _no_cached_rates():
    cache.clear()
    yield
    cache.clear()


def _day(days: int) -> str:
    return (timezone.now().date() + timedelta(days=days)).isoformat()


def _availability(client, hotel_id: int, start: int = 5, nights: int = 3, guests: int = 2):
    return client.get(
        f"/api/hotels/{hotel_id}/availability/",
        {"start_date": _day(start), "end_date": _day(start + nights), "guests": guests},
    )


def test_availability_lists_room_types_with_nightly_rates_total_and_policy(
    api, shopper, make_hotel, sandbox
):
    hotel = make_hotel()
    answer = _availability(api(shopper), hotel.pk)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["hotel_id"], body["nights"], body["guests"]) == (hotel.pk, 3, 2)
    assert [room["room_type"] for room in body["rooms"]] == ["standard", "family", "suite"]
    standard = body["rooms"][0]
    assert [rate["date"] for rate in standard["nightly_rates"]] == [_day(5), _day(6), _day(7)]
    nightly = [Decimal(rate["price"]) for rate in standard["nightly_rates"]]
    assert Decimal(standard["total"]) == sum(nightly)
    assert standard["currency"] == "EUR"
    assert standard["cancellation_policy"] == {
        "free_until_days_before": 2,
        "fee_type": "percent",
        "fee_value": "20",
    }
    assert standard["free_cancellation_until"] == _day(3)
    # the same stay is quoted the same: the rates are the supplier's, not chance
    cache.clear()
    assert _availability(api(shopper), hotel.pk).json() == body


def test_availability_offers_only_rooms_that_sleep_the_guests(api, shopper, make_hotel, sandbox):
    rooms = _availability(api(shopper), make_hotel().pk, guests=3).json()["rooms"]
    assert [room["room_type"] for room in rooms] == ["family"]


def test_a_quote_is_cached_and_the_supplier_not_asked_again(
    api, shopper, make_hotel, sandbox, monkeypatch
):
    hotel = make_hotel()
    asked = []
    real = sandbox.availability

    def counted(query):
        asked.append(query)
        return real(query)

    monkeypatch.setattr(sandbox, "availability", counted)
    first = _availability(api(shopper), hotel.pk).json()
    sandbox.faults.price_bump = 10  # the supplier's price moves; the cached quote does not
    assert _availability(api(shopper), hotel.pk).json() == first
    assert len(asked) == 1
    # another number of guests is another question
    _availability(api(shopper), hotel.pk, guests=1)
    assert len(asked) == 2


def test_availability_when_the_supplier_is_down_is_a_503_and_not_cached(
    api, shopper, make_hotel, sandbox
):
    hotel = make_hotel()
    sandbox.faults.error_rate = 1.0
    down = _availability(api(shopper), hotel.pk)
    assert (down.status_code, down.json()["error"]["code"]) == (503, "supplier_unavailable")
    sandbox.faults.error_rate = 0.0
    assert _availability(api(shopper), hotel.pk).status_code == 200


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"start_date": _day(5), "end_date": _day(5)}, "invalid"),
        ({"start_date": _day(5), "end_date": _day(40)}, "invalid"),
        ({"start_date": "soon", "end_date": _day(5)}, "invalid"),
        ({"start_date": _day(1), "end_date": _day(3), "guests": 0}, "invalid"),
        ({"start_date": _day(1), "end_date": _day(3), "guests": 99}, "invalid"),
        ({"start_date": _day(-1), "end_date": _day(2)}, "invalid_stay"),
    ],
)
def test_availability_of_dates_that_make_no_stay_is_a_400(
    api, shopper, make_hotel, sandbox, query, code
):
    answer = api(shopper).get(f"/api/hotels/{make_hotel().pk}/availability/", query)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


def test_availability_needs_a_signed_in_traveller_and_a_hotel(api, shopper, make_hotel, sandbox):
    hotel = make_hotel()
    assert _availability(api(None), hotel.pk).status_code == 401
    assert _availability(api(shopper), hotel.pk + 99).status_code == 404


def test_a_booking_carries_the_room_guests_price_and_policy_it_was_booked_at(
    api, shopper, make_hotel, sandbox
):
    hotel = make_hotel()
    room = _availability(api(shopper), hotel.pk, start=10, nights=3).json()["rooms"][1]
    booked = api(shopper).post(
        "/api/bookings/",
        {
            "hotel_id": hotel.pk,
            "start_date": _day(10),
            "end_date": _day(13),
            "room_type": room["room_type"],
            "guests": 4,
            "quoted_total": room["total"],
        },
        format="json",
    )
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert (body["room_type"], body["guests"], body["currency"]) == ("family", 4, "EUR")
    assert Decimal(body["total_price"]) == Decimal(room["total"])
    assert body["cancellation_policy"] == room["cancellation_policy"]
    # ten days ahead, the family room (free until 7 days before) is still free to cancel
    assert (Decimal(body["cancellation_fee"]), body["refund_due"]) == (0, body["total_price"])
    at_supplier = sandbox.find(body["client_reference"])
    assert (at_supplier.room_type, at_supplier.guests, at_supplier.total) == (
        "family",
        4,
        room["total"],
    )


def test_a_changed_price_is_a_409_rate_changed_with_the_new_total_and_nothing_booked(
    api, shopper, make_hotel, sandbox
):
    hotel = make_hotel()
    quoted = stay_input(hotel, nights=2)
    sandbox.faults.price_bump = 5
    answer = api(shopper).post("/api/bookings/", quoted, format="json")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "rate_changed")
    details = answer.json()["error"]["details"]
    assert Decimal(details["new_total"]) == Decimal(quoted["quoted_total"]) + 10
    assert details["quoted_total"] == quoted["quoted_total"]
    assert sandbox.count() == 0
    assert HotelBooking.objects.get().failure_reason == "rate_changed"
    # booked at the new price, it goes through
    again = api(shopper).post(
        "/api/bookings/", quoted | {"quoted_total": details["new_total"]}, format="json"
    )
    assert again.status_code == 201


def test_a_booking_below_the_price_is_refused_too(shopper, make_hotel, sandbox):
    with pytest.raises(RateChanged):
        booking_book(actor=shopper, data=stay(make_hotel(), quoted_total="1.00"))


def test_too_many_guests_for_the_room_is_refused_by_the_supplier(api, shopper, make_hotel, sandbox):
    answer = api(shopper).post(
        "/api/bookings/", stay_input(make_hotel(), room_type="suite", guests=3), format="json"
    )
    assert (answer.status_code, answer.json()["error"]["details"]["reason"]) == (
        409,
        "too_many_guests",
    )


@pytest.mark.parametrize("guests", [0, 9])
def test_guests_are_bounded(api, shopper, make_hotel, sandbox, guests):
    answer = api(shopper).post(
        "/api/bookings/", stay_input(make_hotel(), guests=guests), format="json"
    )
    assert answer.status_code == 400


def _book(shopper, hotel, *, start: int, room_type: str = "standard", nights: int = 2):
    return booking_book(
        actor=shopper, data=stay(hotel, start=start, nights=nights, room_type=room_type, guests=2)
    )


def test_canceling_before_the_deadline_is_free(shopper, make_hotel, sandbox):
    booking = _book(shopper, make_hotel(), start=3)  # standard: free until 2 days before
    canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    assert canceled.status == "canceled"
    assert (canceled.cancellation_fee, canceled.refund_due) == (0, booking.total_price)


def test_canceling_after_the_deadline_costs_the_fee(shopper, make_hotel, sandbox):
    hotel = make_hotel()
    standard = _book(shopper, hotel, start=1)  # 20% of the total
    fee = (standard.total_price * Decimal("0.2")).quantize(Decimal("0.01"))
    assert standard.cancellation_fee == fee  # shown before canceling: what it would cost
    canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=standard.id))
    assert (canceled.cancellation_fee, canceled.refund_due) == (fee, standard.total_price - fee)
    family = _book(shopper, hotel, start=5, room_type="family")  # 50.00 within 7 days
    canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=family.id))
    assert canceled.cancellation_fee == Decimal("50.00")
    assert canceled.refund_due == family.total_price - 50
    assert Event.objects.filter(kind="booking.canceled", subject_id=family.id).get().payload == {
        "cancellation_fee": "50.00",
        "refund_due": str(family.total_price - 50),
    }


@pytest.mark.parametrize(("start", "end"), [(0, 2), (-1, 1), (-5, -2)])
def test_a_stay_that_has_started_or_is_over_cannot_be_canceled(
    shopper, make_hotel, sandbox, start, end
):
    booking = _book(shopper, make_hotel(), start=5)
    today = timezone.now().date()
    HotelBooking.objects.filter(pk=booking.id).update(
        start_date=today + timedelta(days=start), end_date=today + timedelta(days=end)
    )
    with pytest.raises(StayStarted):
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id))
    assert HotelBooking.objects.get(pk=booking.id).status == "confirmed"
    assert sandbox.find(str(booking.client_reference)).status == "confirmed"


def test_stay_started_over_the_api(api, shopper, make_hotel, sandbox):
    booking = _book(shopper, make_hotel(), start=5)
    HotelBooking.objects.filter(pk=booking.id).update(
        start_date=timezone.now().date(), end_date=timezone.now().date() + timedelta(days=2)
    )
    answer = api(shopper).post(f"/api/bookings/{booking.id}/cancel/")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "stay_started")


def _settled_a_while_ago(*ids: int) -> None:
    HotelBooking.objects.filter(pk__in=ids).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )


def test_reconciliation_finds_upcoming_stays_the_supplier_canceled(
    shopper, make_hotel, sandbox, settings
):
    hotel = make_hotel()
    soon = _book(shopper, hotel, start=3)
    kept = _book(shopper, hotel, start=4, nights=1)
    later = _book(shopper, hotel, start=settings.SUPPLIER_WATCH_DAYS + 2)
    _settled_a_while_ago(soon.id, kept.id, later.id)
    sandbox.set_faults({"cancel_on_supplier": soon.supplier_reference})
    sandbox.set_faults({"cancel_on_supplier": later.supplier_reference})
    result = booking_reconcile()
    assert result.canceled_by_supplier == [soon.id]  # the later stay is not watched yet
    statuses = dict(HotelBooking.objects.values_list("id", "status"))
    assert statuses == {
        soon.id: "canceled_by_supplier",
        kept.id: "confirmed",
        later.id: "confirmed",
    }
    (event,) = Event.objects.filter(kind="booking.canceled_by_supplier")
    assert (event.subject_id, event.owner_id) == (soon.id, shopper.pk)
    assert booking_reconcile().canceled_by_supplier == []  # once
    canceled = booking_cancel(actor=shopper, data=BookingRef(booking_id=soon.id))
    assert (canceled.status, canceled.cancellation_fee, canceled.refund_due) == (
        "canceled_by_supplier",
        0,
        soon.total_price,
    )


def test_reconciliation_leaves_a_booking_being_canceled_by_its_traveller_alone(
    shopper, make_hotel, sandbox
):
    booking = _book(shopper, make_hotel(), start=3)
    sandbox.cancel(booking.supplier_reference)  # our own cancel, not yet recorded here
    assert booking_reconcile().canceled_by_supplier == []


def test_new_booking_takes_the_quote_as_money(make_hotel, sandbox):
    data = NewBooking.model_validate(stay_input(make_hotel(), quoted_total="12.5"))
    assert data.quoted_total == Decimal("12.50")
