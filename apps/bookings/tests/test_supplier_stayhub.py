"""StayHub, the second supplier: its wire format as the adapter writes and reads it (against
canned answers), and bookings of hotels on StayHub through the services, over real HTTP to
supplier_sim, beside hotels on RoomLine: each booking is booked, canceled and reconciled at its
own hotel's supplier."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any, get_args

import httpx
import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.bookings.dto import BookingRef, Supplier
from apps.bookings.gateways import (
    AvailabilityRequest,
    BookingRequest,
    SupplierDown,
    SupplierOutcomeUnknown,
    SupplierPriceChanged,
    SupplierRefused,
    SupplierUnreachable,
    get_supplier,
    supplier_for,
)
from apps.bookings.models import BookingStatus, HotelBooking, SupplierName
from apps.bookings.services import booking_book, booking_cancel, booking_reconcile
from apps.bookings.supplier_stayhub import StayHubGateway
from apps.bookings.tests.paying import book_and_pay, current, pay_booking, tasks_run
from apps.payments.models import Payment
from tests.factories import stay

READ_TIMEOUT = 0.3
START = timezone.now().date() + timedelta(days=30)


def test_the_dto_and_the_model_name_the_same_suppliers():
    assert set(get_args(Supplier)) == set(SupplierName.values)


def test_a_hotel_is_booked_at_its_own_supplier(make_hotel):
    roomline, stayhub = make_hotel(), make_hotel(supplier="stayhub")
    assert type(supplier_for(roomline)).__name__ == "SandboxSupplierGateway"
    assert isinstance(supplier_for(stayhub), StayHubGateway)
    with pytest.raises(ValueError, match="No supplier"):
        get_supplier("nobody")


# --- the wire, against canned answers --------------------------------------------------------


class Canned:
    """StayHub as a test scripts it: answers by "METHOD /path"; the requests it was sent."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {}
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.answers.get(f"{request.method} {request.url.path}", httpx.Response(404))


@pytest.fixture
def canned() -> Canned:
    return Canned()


@pytest.fixture
def gateway(canned: Canned) -> StayHubGateway:
    return StayHubGateway(
        "http://stayhub.test/v2",
        api_key="k-123",
        connect_timeout=1,
        read_timeout=1,
        transport=httpx.MockTransport(canned),
    )


def _request(**changes: Any) -> BookingRequest:
    fields: dict[str, Any] = {
        "client_reference": "c-1",
        "supplier_hotel_id": "LIS-1",
        "start_date": START,
        "days": 3,
        "guest_wish": "Quiet",
        "room_type": "family",
        "guests": 3,
        "expected_total": Decimal("281.50"),
    }
    return BookingRequest(**(fields | changes))


def _reservation(**changes: Any) -> dict[str, Any]:
    return {
        "id": "SH-1",
        "partnerReference": "c-1",
        "state": "BOOKED",
        "price": {"amountMinor": 28150, "currency": "EUR"},
        "cancellation": {
            "freeCancellationDays": 7,
            "penalty": {"kind": "FLAT", "amountMinor": 5000},
        },
    } | changes


def test_a_booking_is_sent_in_stayhubs_words(gateway, canned):
    canned.answers["POST /v2/reservations"] = httpx.Response(
        201, json={"reservation": _reservation()}
    )
    booking = gateway.book(_request())
    sent = canned.sent[0]
    assert sent.headers["X-Api-Key"] == "k-123"
    assert json.loads(sent.content) == {
        "partnerReference": "c-1",
        "propertyCode": "LIS-1",
        "checkIn": START.strftime("%Y%m%d"),
        "checkOut": (START + timedelta(days=3)).strftime("%Y%m%d"),
        "roomCode": "family",
        "adults": 3,
        "remarks": "Quiet",
        "expectedPrice": {"amountMinor": 28150, "currency": "EUR"},
    }
    assert (booking.reference, booking.status, booking.total) == (
        "SH-1",
        "confirmed",
        Decimal("281.50"),
    )
    assert booking.policy is not None
    assert booking.policy.as_json()["fee_value"] == "50.00"


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>Booked!</html>",
        b'{"id": "SH-2", "state": "BOOKED"}',  # not wrapped in "reservation"
        b'{"reservation": {"state": "BOOKED"}}',
        b'{"reservation": {"id": "", "state": "BOOKED"}}',
        b'{"reservation": {"id": "SH-2", "state": "ON_REQUEST"}}',
        b'{"reservation": {"id": "SH-2", "state": "BOOKED", "partnerReference": "other"}}',
    ],
)
def test_a_2xx_that_cannot_be_read_is_an_unknown_outcome(gateway, canned, answer):
    canned.answers["POST /v2/reservations"] = httpx.Response(200, content=answer)
    with pytest.raises(SupplierOutcomeUnknown):
        gateway.book(_request())


def test_terms_that_do_not_read_are_left_out_not_guessed(gateway, canned):
    reservation = _reservation(price={"amountMinor": "281.50", "currency": "EUR"}, cancellation={})
    canned.answers["POST /v2/reservations"] = httpx.Response(201, json={"reservation": reservation})
    booking = gateway.book(_request())
    assert (booking.reference, booking.total, booking.currency, booking.policy) == (
        "SH-1",
        None,
        "EUR",
        None,
    )


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (422, {"errors": [{"code": "NO_AVAILABILITY", "title": "Full"}]}, "hotel_full"),
        (422, {"errors": [{"code": "UNKNOWN_ROOM", "title": "?"}]}, "unknown_room_type"),
        (422, {"errors": [{"code": "OCCUPANCY_EXCEEDED", "title": "3"}]}, "too_many_guests"),
        (422, {"errors": [{"code": "RATE_MISMATCH", "title": "No price"}]}, "price_changed"),
        (400, {"errors": [{"code": "VALIDATION_ERROR", "title": "checkIn"}]}, "bad_request"),
        (409, {"errors": [{"code": "DUPLICATE_STAY", "title": "Twice"}]}, "duplicate_stay"),
        (418, {"error": "teapot"}, "http_418"),
    ],
)
def test_refusals_map_to_the_shared_codes(gateway, canned, status, body, code):
    canned.answers["POST /v2/reservations"] = httpx.Response(status, json=body)
    with pytest.raises(SupplierRefused) as caught:
        gateway.book(_request())
    assert type(caught.value) is SupplierRefused
    assert caught.value.code == code


def test_a_rate_mismatch_carries_the_new_total(gateway, canned):
    error = {
        "code": "RATE_MISMATCH",
        "title": "New price",
        "meta": {"currentPrice": {"amountMinor": 29100, "currency": "EUR"}},
    }
    canned.answers["POST /v2/reservations"] = httpx.Response(422, json={"errors": [error]})
    with pytest.raises(SupplierPriceChanged) as caught:
        gateway.book(_request())
    assert caught.value.new_total == Decimal("291.00")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_api_key_books_nothing_and_is_unreachable(gateway, canned, status):
    unauthorized = httpx.Response(status, json={"errors": [{"code": "UNAUTHORIZED"}]})
    canned.answers["POST /v2/reservations"] = unauthorized
    canned.answers["GET /v2/reservations"] = unauthorized
    with pytest.raises(SupplierUnreachable):
        gateway.book(_request())
    with pytest.raises(SupplierDown):
        gateway.find("c-1")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"errors": [{"code": "NOT_FOUND"}]}),  # not how it says "none"
        httpx.Response(200, json={"reservations": {"id": "SH-1"}}),
        httpx.Response(200, json={"reservations": [_reservation(), _reservation(id="SH-2")]}),
        httpx.Response(200, json={"reservations": [_reservation(state="GONE")]}),
    ],
)
def test_a_look_up_that_does_not_read_leaves_the_question_open(gateway, canned, answer):
    canned.answers["GET /v2/reservations"] = answer
    with pytest.raises(SupplierDown):
        gateway.find("c-1")


def test_a_look_up_reads_an_empty_list_as_not_found(gateway, canned):
    canned.answers["GET /v2/reservations"] = httpx.Response(200, json={"reservations": []})
    assert gateway.find("c-1") is None
    assert canned.sent[0].url.params["partnerReference"] == "c-1"


def test_availability_that_does_not_add_up_is_down(gateway, canned):
    night = {"date": START.strftime("%Y%m%d"), "amountMinor": 9700}
    offer = {
        "roomCode": "standard",
        "description": "Standard double",
        "maxOccupancy": 2,
        "nights": [night],
        "totalMinor": 9800,
        "cancellation": {
            "freeCancellationDays": 2,
            "penalty": {"kind": "PERCENT", "basisPoints": 2000},
        },
    }
    canned.answers["GET /v2/properties/LIS-1/availability"] = httpx.Response(
        200, json={"currency": "EUR", "offers": [offer]}
    )
    request_args = ("LIS-1", START, START + timedelta(days=1), 2)
    with pytest.raises(SupplierDown):
        gateway.availability(AvailabilityRequest(*request_args))
    offer["totalMinor"] = 9700
    canned.answers["GET /v2/properties/LIS-1/availability"] = httpx.Response(
        200, json={"currency": "EUR", "offers": [offer]}
    )
    [read] = gateway.availability(AvailabilityRequest(*request_args))
    assert (read.total, read.policy.fee_value) == (Decimal("97.00"), Decimal("20"))


# --- through the services, over HTTP -----------------------------------------------------------


@pytest.fixture
def stayhub(supplier_sim_url, settings):
    """Hotels on StayHub are booked at the simulator's /stayhub, those on RoomLine at its root."""
    settings.SUPPLIER_URL = supplier_sim_url
    settings.STAYHUB_URL = f"{supplier_sim_url}/stayhub"
    settings.SUPPLIER_READ_TIMEOUT = READ_TIMEOUT
    settings.SUPPLIER_CONNECT_TIMEOUT = 1.0
    cache.clear()
    roomline = httpx.Client(base_url=supplier_sim_url, timeout=5)
    control = httpx.Client(base_url=settings.STAYHUB_URL, timeout=5)
    for client in (roomline, control):
        client.post("/_reset")

    class Sim:
        def faults(self, **faults):
            control.post("/_faults", json=faults).raise_for_status()

        def stats(self, at=control):
            return at.get("/_stats").json()

        def roomline_stats(self):
            return self.stats(roomline)

        def find(self, client_reference):
            answer = control.get(
                "/reservations",
                params={"partnerReference": str(client_reference)},
                headers={"X-Api-Key": settings.STAYHUB_API_KEY},
            )
            found = answer.json()["reservations"]
            return found[0] if found else None

    yield Sim()
    for client in (roomline, control):
        client.post("/_reset")
        client.close()
    cache.clear()


def book_then_pay(stayhub: Any, actor: Any, data: Any, **faults: Any) -> Any:
    """Book the stay (its offer asked for at StayHub), set `faults` there, pay: the supplier
    booking then runs, with the faults, as the worker runs it after the payment commits."""
    booking = booking_book(actor=actor, data=data)
    if faults:
        stayhub.faults(**faults)
    pay_booking(actor, booking.id)
    return current(actor, booking.id)


def test_a_stay_on_stayhub_is_quoted_booked_and_canceled_there(api, shopper, make_hotel, stayhub):
    hotel = make_hotel(supplier="stayhub", supplier_hotel_id="SNT-1")
    first = timezone.now().date() + timedelta(days=20)
    quote = api(shopper).get(
        f"/api/hotels/{hotel.pk}/availability/",
        {"start_date": first.isoformat(), "end_date": (first + timedelta(days=2)).isoformat()},
    )
    assert quote.status_code == 200
    standard = quote.json()["rooms"][0]
    booking = book_then_pay(
        stayhub, shopper, stay(hotel, first=first, quoted_total=standard["total"])
    )
    assert booking.status == "confirmed"
    assert booking.supplier_reference.startswith("SH-")
    at_stayhub = stayhub.find(booking.client_reference)
    assert (at_stayhub["id"], at_stayhub["propertyCode"]) == (booking.supplier_reference, "SNT-1")
    assert at_stayhub["price"]["amountMinor"] == int(Decimal(standard["total"]) * 100)
    assert (
        booking_cancel(actor=shopper, data=BookingRef(booking_id=booking.id)).status == "canceled"
    )
    assert stayhub.find(booking.client_reference)["state"] == "CANCELLED"
    assert stayhub.roomline_stats() == {"bookings": 0, "requests": 0}  # never asked


def test_a_refusal_at_stayhub_fails_the_booking_and_refunds_it(shopper, make_hotel, stayhub):
    booking = book_then_pay(stayhub, shopper, stay(make_hotel(supplier="stayhub")), refuse=True)
    assert booking.status == "failed"
    assert HotelBooking.objects.get().failure_reason == "hotel_full"
    payment = Payment.objects.get()
    assert payment.amount_refunded == payment.amount


def test_a_lost_answer_at_stayhub_is_settled_by_reconciliation_once(shopper, make_hotel, stayhub):
    booking = book_then_pay(
        stayhub,
        shopper,
        stay(make_hotel(supplier="stayhub")),
        book_then_timeout=1,
        hang=READ_TIMEOUT * 3,
    )
    assert booking.status == "pending_confirmation"
    result = booking_reconcile()
    assert (result.confirmed, result.failed) == ([booking.id], [])
    assert booking_reconcile().confirmed == []
    settled = HotelBooking.objects.get()
    assert settled.status == BookingStatus.CONFIRMED
    assert settled.supplier_reference == stayhub.find(booking.client_reference)["id"]
    assert stayhub.stats()["bookings"] == 1
    assert Payment.objects.get().amount_refunded == 0  # booked: nothing to give back


def test_a_5xx_that_booked_at_stayhub_is_found_and_kept_not_refunded(shopper, make_hotel, stayhub):
    booking = book_then_pay(
        stayhub, shopper, stay(make_hotel(supplier="stayhub")), book_then_fail=1
    )
    assert booking.status == "pending_confirmation"  # it may have booked: asked, not refunded
    assert Payment.objects.get().amount_refunded == 0
    assert booking_reconcile().confirmed == [booking.id]
    assert stayhub.find(booking.client_reference)["state"] != "CANCELLED"


def test_a_stay_stayhub_cancels_on_its_side_is_canceled_by_the_supplier(
    shopper, make_hotel, stayhub
):
    booking = book_then_pay(stayhub, shopper, stay(make_hotel(supplier="stayhub"), start=3))
    assert booking.status == "confirmed"
    HotelBooking.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    stayhub.faults(cancel_on_supplier=booking.supplier_reference)
    with tasks_run():  # the refund is sent once the reconciliation commits
        assert booking_reconcile().canceled_by_supplier == [booking.id]
    assert HotelBooking.objects.get().status == BookingStatus.CANCELED_BY_SUPPLIER
    payment = Payment.objects.get()
    assert payment.amount_refunded == payment.amount  # the supplier's doing: refunded whole


def test_one_reconciliation_asks_each_booking_at_its_own_hotels_supplier(
    make_user, make_hotel, stayhub, supplier_sim_url
):
    """Lost answers at both suppliers: one run confirms each, where it was booked."""
    roomline_control = httpx.Client(base_url=supplier_sim_url, timeout=5)
    lost = {"book_then_timeout": 1, "hang": READ_TIMEOUT * 3}
    roomline_traveller, stayhub_traveller = make_user(), make_user()
    at_roomline = booking_book(actor=roomline_traveller, data=stay(make_hotel()))
    at_stayhub = booking_book(actor=stayhub_traveller, data=stay(make_hotel(supplier="stayhub")))
    roomline_control.post("/_faults", json=lost)
    stayhub.faults(**lost)
    pay_booking(roomline_traveller, at_roomline.id)
    pay_booking(stayhub_traveller, at_stayhub.id)
    statuses = {
        current(roomline_traveller, at_roomline.id).status,
        current(stayhub_traveller, at_stayhub.id).status,
    }
    assert statuses == {"pending_confirmation"}
    assert sorted(booking_reconcile().confirmed) == sorted([at_roomline.id, at_stayhub.id])
    references = dict(HotelBooking.objects.values_list("id", "supplier_reference"))
    assert references[at_roomline.id].startswith("SUP-")
    assert references[at_stayhub.id].startswith("SH-")
    assert stayhub.stats()["bookings"] == stayhub.roomline_stats()["bookings"] == 1
    roomline_control.close()


# --- the hotel says which supplier ------------------------------------------------------------


def test_a_merchant_adds_a_hotel_on_stayhub_and_everyone_sees_its_supplier(api, merchant, shopper):
    payload = {
        "name": "Quinta",
        "city": "Sintra",
        "supplier_hotel_id": "SNT-9",
        "supplier": "stayhub",
    }
    created = api(merchant).post("/api/hotels/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["supplier"] == "stayhub"
    shown = api(shopper).get(f"/api/hotels/{created.json()['id']}/")
    assert shown.json()["supplier"] == "stayhub"
    default = api(merchant).post(
        "/api/hotels/",
        {"name": "Rio", "city": "Porto", "supplier_hotel_id": "OPO-9"},
        format="json",
    )
    assert default.json()["supplier"] == "roomline"


def test_an_unknown_supplier_is_a_400(api, merchant):
    payload = {"name": "Q", "city": "S", "supplier_hotel_id": "X-1", "supplier": "expedia"}
    response = api(merchant).post("/api/hotels/", payload, format="json")
    assert response.status_code == 400
    assert "supplier" in response.json()["error"]["fields"]


def test_a_stay_on_stayhub_books_in_process_when_no_url_is_set(shopper, make_hotel):
    booking = book_and_pay(shopper, stay(make_hotel(supplier="stayhub")))
    assert booking.status == "confirmed"
    assert booking.supplier_reference.startswith("SH-")
