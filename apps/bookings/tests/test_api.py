"""Hotels and bookings over REST: status codes, error bodies, permissions, query budgets."""

import pytest

from apps.bookings.dto import BookingOut, HotelOut
from apps.bookings.models import HotelBooking
from apps.bookings.tests.paying import tasks_run
from tests.factories import stay_input as stay

BOOKINGS, HOTELS = "/api/bookings/", "/api/hotels/"


def pay(client, booking_id, token="tok_visa", **headers):
    with tasks_run():  # the supplier booking (or the refund) its payment enqueues
        return client.post(
            f"{BOOKINGS}{booking_id}/payments/", {"card_token": token}, format="json", **headers
        )


def test_a_traveller_books_and_sees_the_booking(api, shopper, make_hotel):
    hotel = make_hotel("Casa Azul")
    client = api(shopper)
    response = client.post(BOOKINGS, stay(hotel, special_wishes="late arrival"), format="json")
    assert response.status_code == 201
    body = response.json()
    BookingOut.model_validate(body)
    assert (body["status"], body["hotel_name"], body["nights"]) == (
        "awaiting_payment",
        "Casa Azul",
        2,
    )
    paid = pay(client, body["id"], HTTP_IDEMPOTENCY_KEY="pay-1")
    assert (paid.status_code, paid.json()["status"]) == (201, "succeeded")
    body = client.get(f"{BOOKINGS}{body['id']}/").json()
    assert body["status"] == "confirmed"
    assert body["paid_at"] is not None
    assert body["supplier_reference"].startswith("SUP-")
    (payment,) = client.get(f"{BOOKINGS}{body['id']}/payments/").json()
    assert (payment["booking_id"], payment["amount"]) == (body["id"], body["total_price"])
    listed = client.get(BOOKINGS).json()["results"]
    assert [b["id"] for b in listed] == [body["id"]]
    assert client.get(f"{BOOKINGS}{body['id']}/").json()["special_wishes"] == "late arrival"


def test_an_unknown_outcome_after_payment_is_pending_confirmation(
    api, shopper, make_hotel, sandbox
):
    client = api(shopper)
    booking = client.post(BOOKINGS, stay(make_hotel()), format="json").json()
    sandbox.faults.book_then_timeout = 1
    assert pay(client, booking["id"]).status_code == 201
    assert client.get(f"{BOOKINGS}{booking['id']}/").json()["status"] == "pending_confirmation"


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        ("tok_chargeDeclined", 402, "payment_declined"),
        ("tok_nonsense", 400, "card_token_invalid"),
        ("tok_providerDown", 503, "payment_provider_unavailable"),
    ],
)
def test_a_payment_that_fails_leaves_the_booking_awaiting_payment(
    api, shopper, make_hotel, sandbox, token, status, code
):
    client = api(shopper)
    booking = client.post(BOOKINGS, stay(make_hotel()), format="json").json()
    failed = pay(client, booking["id"], token)
    assert (failed.status_code, failed.json()["error"]["code"]) == (status, code)
    assert client.get(f"{BOOKINGS}{booking['id']}/").json()["status"] == "awaiting_payment"
    assert sandbox.count() == 0
    assert pay(client, booking["id"]).status_code == 201  # another card may pay


def test_only_the_traveller_pays_and_sees_the_payments_of_a_booking(
    api, shopper, other_shopper, make_hotel
):
    booking = api(shopper).post(BOOKINGS, stay(make_hotel()), format="json").json()
    stranger = api(other_shopper)
    for response in (
        pay(stranger, booking["id"]),
        stranger.get(f"{BOOKINGS}{booking['id']}/payments/"),
    ):
        assert (response.status_code, response.json()["error"]["code"]) == (
            404,
            "booking_not_found",
        )


@pytest.mark.parametrize(
    ("fault", "payload", "status", "code"),
    [
        ({"refuse": True}, {}, 409, "booking_refused"),
        ({"error_rate": 1.0}, {}, 503, "supplier_unavailable"),
        ({}, {"hotel_id": 424242}, 404, "hotel_not_found"),
        ({}, {"start_date": "2001-01-01", "end_date": "2001-01-03"}, 400, "invalid_stay"),
        ({}, {"end_date": "not a date"}, 400, "invalid"),
        ({}, {"special_wishes": "x" * 501}, 400, "invalid"),
        ({}, {"traveller": 1}, 400, "invalid"),
        ({}, {"status": "confirmed"}, 400, "invalid"),
    ],
)
def test_booking_errors(api, shopper, make_hotel, sandbox, fault, payload, status, code):
    sandbox.faults.update(fault)
    response = api(shopper).post(BOOKINGS, stay(make_hotel()) | payload, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert api(shopper).get(BOOKINGS).json()["results"] == []


def test_a_booking_retried_with_its_key_is_booked_once(api, shopper, make_hotel, sandbox):
    client, payload = api(shopper), stay(make_hotel())
    first = client.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="trip-1")
    again = client.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="trip-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert HotelBooking.objects.count() == 1
    other = client.post(BOOKINGS, stay(make_hotel()), format="json", HTTP_IDEMPOTENCY_KEY="trip-1")
    assert (other.status_code, other.json()["error"]["code"]) == (422, "idempotency_key_reused")


def test_travellers_reach_only_their_own_bookings(
    api, shopper, other_shopper, merchant, make_hotel
):
    booking = api(shopper).post(BOOKINGS, stay(make_hotel()), format="json").json()
    stranger = api(other_shopper)
    assert stranger.get(BOOKINGS).json()["results"] == []
    for response in (
        stranger.get(f"{BOOKINGS}{booking['id']}/"),
        stranger.post(f"{BOOKINGS}{booking['id']}/cancel/"),
    ):
        assert (response.status_code, response.json()["error"]["code"]) == (
            404,
            "booking_not_found",
        )
    assert api(merchant).get(f"{BOOKINGS}{booking['id']}/").status_code == 200
    anonymous = api(None)
    assert anonymous.get(BOOKINGS).status_code == 401
    assert anonymous.post(BOOKINGS, stay(make_hotel()), format="json").status_code == 401


def test_cancel_over_the_api(api, shopper, make_hotel):
    booking = api(shopper).post(BOOKINGS, stay(make_hotel()), format="json").json()
    response = api(shopper).post(f"{BOOKINGS}{booking['id']}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "canceled")


def test_merchants_filter_bookings(api, shopper, merchant, make_hotel):
    hotel = make_hotel()
    api(shopper).post(BOOKINGS, stay(hotel), format="json")
    client = api(merchant)
    assert len(client.get(BOOKINGS, {"hotel_id": hotel.pk}).json()["results"]) == 1
    assert client.get(BOOKINGS, {"status": "canceled"}).json()["results"] == []
    assert client.get(BOOKINGS, {"status": "lost"}).status_code == 400
    assert client.get(BOOKINGS, {"starts_from": "yesterday"}).status_code == 400


def test_hotels_are_public_and_managed_by_merchants(api, shopper, merchant, make_hotel):
    make_hotel("Sol", city="Faro")
    make_hotel("Mar", city="Porto")
    listed = api(None).get(HOTELS, {"city": "faro"}).json()["results"]
    assert [h["name"] for h in listed] == ["Sol"]
    HotelOut.model_validate(listed[0])
    payload = {"name": "Novo", "city": "Braga", "supplier_hotel_id": "BRG-1"}
    assert api(shopper).post(HOTELS, payload, format="json").status_code == 403
    created = api(merchant).post(HOTELS, payload, format="json")
    assert created.status_code == 201
    again = api(merchant).post(HOTELS, payload, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "hotel_exists")
    hotel_id = created.json()["id"]
    assert api(merchant).post(f"{HOTELS}{hotel_id}/archive/").json()["is_active"] is False
    assert api(shopper).get(f"{HOTELS}{hotel_id}/").status_code == 404


def test_listing_bookings_costs_the_same_queries_for_2_or_20(
    api, shopper, make_hotel, django_assert_num_queries
):
    client = api(shopper)
    for count in (2, 20):
        while HotelBooking.objects.count() < count:
            client.post(BOOKINGS, stay(make_hotel()), format="json")
        with django_assert_num_queries(2):  # token, one page with hotel and traveller joined
            assert len(client.get(BOOKINGS, {"page_size": 50}).json()["results"]) == count


def test_a_stay_still_being_confirmed_is_not_a_keys_final_answer(api, shopper, make_hotel, sandbox):
    """`booking_unresolved` says "wait": a retry under the same key, once the first attempt
    has been settled, books the stay instead of replaying the 409 for 24 hours."""
    client, hotel = api(shopper), make_hotel()
    first = client.post(BOOKINGS, stay(hotel), format="json").json()
    sandbox.faults.book_then_timeout = 1
    pay(client, first["id"])
    assert HotelBooking.objects.get().status == "pending_confirmation"
    sandbox.reset()
    retry = {"HTTP_IDEMPOTENCY_KEY": "second-try"}
    refused = client.post(BOOKINGS, stay(hotel), format="json", **retry)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "booking_unresolved")
    HotelBooking.objects.update(status="failed", failure_reason="not_at_supplier")
    booked = client.post(BOOKINGS, stay(hotel), format="json", **retry)
    assert booked.status_code == 201, booked.json()
    assert "Idempotent-Replayed" not in booked


def test_an_unpaid_booking_of_the_stay_is_not_a_keys_final_answer(api, shopper, make_hotel):
    client, hotel = api(shopper), make_hotel()
    unpaid = client.post(BOOKINGS, stay(hotel), format="json").json()
    retry = {"HTTP_IDEMPOTENCY_KEY": "again"}
    refused = client.post(BOOKINGS, stay(hotel), format="json", **retry)
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409,
        "booking_awaiting_payment",
    )
    assert refused.json()["error"]["details"] == {"booking_id": unpaid["id"]}
    assert client.post(f"{BOOKINGS}{unpaid['id']}/cancel/").json()["status"] == "canceled"
    booked = client.post(BOOKINGS, stay(hotel), format="json", **retry)
    assert (booked.status_code, booked.json()["status"]) == (201, "awaiting_payment")
