"""Concurrency on PostgreSQL: a booking retried at once is made once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.bookings.models import HotelBooking
from conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_booking_sent_10_times_at_once_with_one_key_books_once(
    make_user, make_hotel, sandbox
):
    traveller, hotel = make_user(), make_hotel()
    start = timezone.now().date() + timedelta(days=4)
    payload = {
        "hotel_id": hotel.pk,
        "start_date": str(start),
        "end_date": str(start + timedelta(days=2)),
    }
    sandbox.faults.latency = 0.3  # the first is still at the supplier when the rest arrive
    clients = [client_for(traveller) for _ in range(10)]
    gate = threading.Barrier(len(clients))

    def book(client):
        try:
            gate.wait()
            return client.post(
                "/api/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="trip-to-lisbon"
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        results = list(pool.map(book, clients))

    assert sandbox.count() == 1
    assert HotelBooking.objects.count() == 1
    statuses = Counter(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    booking_id = HotelBooking.objects.get().pk
    for response in results:
        if response.status_code == 201:
            assert response.json()["id"] == booking_id
        else:
            assert response.json()["error"]["code"] == "idempotency_request_in_progress"


def test_the_same_stay_booked_twice_at_once_without_a_key_is_never_unresolved_twice(
    make_user, make_hotel, sandbox
):
    """Both time out: the one-unresolved-attempt-per-stay rule lets one through, the other
    is told the stay is being confirmed; the supplier holds one booking."""
    traveller, hotel = make_user(), make_hotel()
    start = timezone.now().date() + timedelta(days=4)
    payload = {
        "hotel_id": hotel.pk,
        "start_date": str(start),
        "end_date": str(start + timedelta(days=1)),
    }
    sandbox.faults.book_then_timeout = 2
    clients = [client_for(traveller) for _ in range(2)]
    gate = threading.Barrier(2)

    def book(client):
        try:
            gate.wait()
            return client.post("/api/bookings/", payload, format="json")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(book, clients))

    codes = sorted(
        (r.status_code, r.json().get("status") or r.json()["error"]["code"]) for r in results
    )
    assert codes == [(202, "pending_confirmation"), (409, "booking_unresolved")]
    assert sandbox.count() == 1
