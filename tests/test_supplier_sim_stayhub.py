"""The simulator's second supplier, StayHub, itself: what docs/supplier-api.md says of its wire
that no adapter test sees (the adapters' contract: apps/bookings/tests/test_supplier_contract.py).
"""

import json

import pytest

from supplier_sim.core import Supplier
from supplier_sim.stayhub import DEMO_API_KEY, StayHubApi

BOOKING = {
    "partnerReference": "p-1",
    "propertyCode": "LIS-1",
    "checkIn": "20301201",
    "checkOut": "20301203",
    "roomCode": "standard",
    "adults": 2,
}


def call(api, method, path, body=None, key=DEMO_API_KEY, **query):
    raw = json.dumps(body).encode() if body is not None else b""
    return api.handle(method, f"/stayhub{path}", query, key, raw)


@pytest.fixture
def api():
    return StayHubApi(Supplier(seed=1, ref_prefix="SH"))


def test_every_api_call_needs_the_key_but_the_simulators_own_endpoints_do_not(api):
    for key in (None, "wrong"):
        answer = call(api, "POST", "/reservations", BOOKING, key=key)
        assert (answer.status, answer.body["errors"][0]["code"]) == (401, "UNAUTHORIZED")
    assert call(api, "GET", "/health", key=None).status == 200
    assert call(api, "POST", "/_faults", {"refuse": True}, key=None).body["refuse"] is True
    assert call(api, "GET", "/_stats", key=None).body == {"bookings": 0, "requests": 0}
    assert call(api, "POST", "/_reset", key=None).status == 204


def test_a_booking_is_201_then_200_under_the_same_partner_reference(api):
    first = call(api, "POST", "/reservations", BOOKING)
    again = call(api, "POST", "/reservations", BOOKING | {"adults": 1})
    assert (first.status, again.status) == (201, 200)
    assert first.body["reservation"]["id"] == again.body["reservation"]["id"]
    assert first.body["reservation"]["id"].startswith("SH-")
    assert first.body["reservation"]["checkOut"] == "20301203"
    assert isinstance(first.body["reservation"]["price"]["amountMinor"], int)


@pytest.mark.parametrize(
    "change",
    [
        {"checkIn": "01-12-2030"},
        {"checkIn": "20300231"},
        {"checkOut": "20301201"},
        {"adults": "2"},
        {"adults": 11},
        {"partnerReference": ""},
        {"expectedPrice": {"amountMinor": "100", "currency": "EUR"}},
        {"expectedPrice": {"amountMinor": 100, "currency": "USD"}},
    ],
)
def test_malformed_reservations_are_400_validation_errors(api, change):
    answer = call(api, "POST", "/reservations", BOOKING | change)
    assert (answer.status, answer.body["errors"][0]["code"]) == (400, "VALIDATION_ERROR")


def test_a_look_up_answers_a_list_and_a_cancellation_a_delete(api):
    assert call(api, "GET", "/reservations", partnerReference="p-1").body == {"reservations": []}
    reference = call(api, "POST", "/reservations", BOOKING).body["reservation"]["id"]
    [found] = call(api, "GET", "/reservations", partnerReference="p-1").body["reservations"]
    assert (found["id"], found["state"]) == (reference, "BOOKED")
    assert call(api, "DELETE", f"/reservations/{reference}").body["reservation"]["state"] == (
        "CANCELLED"
    )
    assert call(api, "DELETE", "/reservations/SH-NOPE").status == 404
    assert call(api, "GET", "/reservations/SH-NOPE").status == 404


def test_an_injected_failure_is_a_503(api):
    call(api, "POST", "/_faults", {"error_rate": 1.0})
    answer = call(api, "POST", "/reservations", BOOKING)
    assert (answer.status, answer.body["errors"][0]["code"]) == (503, "SERVICE_UNAVAILABLE")


def test_latency_applies_to_bookings_and_rates_only(api):
    call(api, "POST", "/_faults", {"latency": 2.5})
    assert api.delay("POST", "/stayhub/reservations") == 2.5
    assert api.delay("GET", "/stayhub/properties/LIS-1/availability") == 2.5
    assert api.delay("GET", "/stayhub/reservations") == 0.0
