"""Two app instances, one PostgreSQL (through PgBouncer in transaction pooling), two Celery
workers on one RabbitMQ queue, one beat: the invariants hold across instances.

Concurrent requests alternate between the two gunicorn instances: no oversell, a basket
becomes one order, an order is charged at most once, a refund is run once, every event is
recorded once and published by the relays, and each beat tick
is run once by one of the two workers. Runs when CI or AGORA_SCALEOUT=1 is set (it starts the
whole stack, `make scaleout`, for the module, and stops it before pytest's summary).
"""

import os
from collections import Counter
from collections.abc import Iterator
from functools import partial

import pytest

from tests.scaleout import stack
from tests.scaleout.stack import HTTPS, Stack, eventually, query, race, request

pytestmark = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("AGORA_SCALEOUT")),
    reason="the scale-out battery starts a whole stack: set AGORA_SCALEOUT=1 (CI runs it)",
)

SHOPPERS = 24


@pytest.fixture(scope="module")
def scaleout() -> Iterator[Stack]:
    missing = stack.missing_service()
    if missing:
        pytest.skip(missing)
    with stack.started() as ports:
        yield Stack(ports=ports, seeded=stack.seed(SHOPPERS))


def stock_of(product_id: int) -> int:
    return query("SELECT stock FROM catalog_product WHERE id = %s", [product_id])[0][0]


def ordered(product_id: int) -> int:
    rows = query(
        "SELECT coalesce(sum(quantity), 0) FROM ordering_orderline WHERE product_id = %s",
        [product_id],
    )
    return int(rows[0][0])


def codes(responses) -> Counter[tuple[int, str]]:
    return Counter(
        (r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else "")
        for r in responses
    )


def place_order(s: Stack, n: int, shopper: str, product: str, quantity: int = 1):
    return request(
        "POST",
        s.url(n, "/api/orders/"),
        shopper,
        json={"product_id": s.seeded.products[product], "quantity": quantity},
        headers={"Idempotency-Key": f"place-{n}"},
    )


def test_plain_http_is_redirected_to_https_on_both_instances(scaleout):
    import httpx

    for port in scaleout.ports:
        response = httpx.get(f"http://127.0.0.1:{port}/api/products/")
        assert response.status_code == 301
        assert response.headers["Location"].startswith("https://")
        assert httpx.get(f"http://127.0.0.1:{port}/api/products/", headers=HTTPS).status_code == 200


def test_no_oversell_when_shoppers_on_both_instances_race_for_scarce_stock(scaleout):
    product = scaleout.seeded.products["scarce"]
    before = stock_of(product)
    wants = [1 + n % 2 for n in range(SHOPPERS)]  # 36 units asked for, 10 in stock
    responses = race(
        [
            partial(place_order, scaleout, n, shopper, "scarce", wants[n])
            for n, shopper in enumerate(scaleout.seeded.shoppers)
        ]
    )
    outcome = codes(responses)
    assert set(outcome) <= {(201, ""), (409, "out_of_stock")}, outcome
    sold = sum(want for want, r in zip(wants, responses, strict=True) if r.status_code == 201)
    after = stock_of(product)
    assert after >= 0
    assert sold == before - after == ordered(product)
    assert after < 2, "a shopper who wanted what was left was refused"
    refused_ones = [w for w, r in zip(wants, responses, strict=True) if r.status_code == 409]
    if 1 in refused_ones:
        assert after == 0


def test_a_basket_confirmed_on_both_instances_at_once_becomes_one_order(scaleout):
    product = scaleout.seeded.products["basket"]
    shoppers = scaleout.seeded.shoppers[:8]  # 8 baskets of one unit, 5 in stock
    for n, shopper in enumerate(shoppers):
        added = request(
            "POST",
            scaleout.url(n, "/api/basket/items/"),
            shopper,
            json={"product_id": product, "quantity": 1},
        )
        assert added.status_code in (200, 201), added.text
    before = stock_of(product)
    # each shopper's confirmation is sent to both instances at the same moment
    calls = [
        partial(request, "POST", scaleout.url(instance, "/api/basket/confirm/"), shopper)
        for shopper in shoppers
        for instance in (0, 1)
    ]
    responses = race(calls)
    outcome = codes(responses)
    assert set(outcome) <= {
        (201, ""),
        (409, "basket_empty"),
        (409, "basket_lines_unavailable"),
        (409, "idempotency_request_in_progress"),
    }, outcome
    per_shopper = [
        sum(r.status_code == 201 for r in responses[2 * i : 2 * i + 2])
        for i in range(len(shoppers))
    ]
    assert max(per_shopper) == 1, "a basket became two orders"
    after = stock_of(product)
    assert after >= 0
    assert sum(per_shopper) == before - after == ordered(product)
    assert sum(per_shopper) == min(len(shoppers), before)


def paid_order(s: Stack, shopper: str, n: int) -> int:
    placed = place_order(s, 1000 + n, shopper, "plenty")
    assert placed.status_code == 201, placed.text
    return placed.json()["id"]


def charges_of(order_id: int) -> list[tuple[str, str]]:
    """(payment status, charge reference) of each payment of the order, and how many charges
    the dummy provider holds for them (rows unique on our reference)."""
    return query(
        "SELECT p.status, c.reference FROM payments_payment p "
        "LEFT JOIN payments_dummycharge c ON c.reference = 'agora-payment-' || p.id "
        "WHERE p.payable_kind = 'order' AND p.payable_id = %s",
        [order_id],
    )


def pay(s: Stack, n: int, shopper: str, order_id: int, key: str):
    return request(
        "POST",
        s.url(n, f"/api/orders/{order_id}/payments/"),
        shopper,
        json={"card_token": "tok_visa"},
        headers={"Idempotency-Key": key},
    )


def assert_charged_once(order_id: int) -> None:
    payments = charges_of(order_id)
    succeeded = [ref for status, ref in payments if status == "succeeded"]
    charged = [ref for _, ref in payments if ref]
    assert len(succeeded) == 1, payments
    assert charged == succeeded, payments
    assert query("SELECT status FROM ordering_order WHERE id = %s", [order_id]) == [("paid",)]


def test_one_payment_retried_on_both_instances_with_one_key_is_charged_once(scaleout):
    shopper = scaleout.seeded.shoppers[10]
    order_id = paid_order(scaleout, shopper, 1)
    responses = race([partial(pay, scaleout, n, shopper, order_id, "pay-once") for n in range(8)])
    outcome = codes(responses)
    assert set(outcome) <= {(201, ""), (409, "idempotency_request_in_progress")}, outcome
    first = [
        r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    ]
    assert len(first) == 1
    assert {r.json()["id"] for r in responses if r.status_code == 201} == {first[0].json()["id"]}
    assert_charged_once(order_id)


def test_payments_with_different_keys_on_both_instances_charge_an_order_once(scaleout):
    shopper = scaleout.seeded.shoppers[11]
    order_id = paid_order(scaleout, shopper, 2)
    responses = race([partial(pay, scaleout, n, shopper, order_id, f"pay-{n}") for n in range(8)])
    outcome = codes(responses)
    assert outcome[(201, "")] == 1, outcome
    assert set(outcome) <= {
        (201, ""),
        (409, "payment_in_progress"),
        (409, "order_not_payable"),
    }, outcome
    assert_charged_once(order_id)


def test_paid_orders_canceled_on_both_instances_are_refunded_once_by_the_workers(scaleout):
    shoppers = scaleout.seeded.shoppers[12:18]
    orders = {}
    for n, shopper in enumerate(shoppers):
        order_id = paid_order(scaleout, shopper, 10 + n)
        assert pay(scaleout, n, shopper, order_id, f"refund-{n}").status_code == 201
        orders[order_id] = shopper
    calls = [
        partial(request, "POST", scaleout.url(instance, f"/api/orders/{order_id}/cancel/"), shopper)
        for order_id, shopper in orders.items()
        for instance in (0, 1)
    ]
    outcome = codes(race(calls))
    assert outcome == {(200, ""): len(orders), (409, "illegal_transition"): len(orders)}, outcome
    ids = list(orders)

    def refunded() -> bool:
        rows = query(
            "SELECT status FROM payments_payment WHERE payable_kind = 'order' "
            "AND payable_id = ANY(%s)",
            [ids],
        )
        return len(rows) == len(ids) and {status for (status,) in rows} == {"refunded"}

    eventually(refunded, "the workers refund every canceled order")
    refunds = query(
        "SELECT r.reference FROM payments_dummyrefund r JOIN payments_payment p "
        "ON r.reference = 'agora-refund-' || p.id WHERE p.payable_id = ANY(%s)",
        [ids],
    )
    assert len(refunds) == len(ids), "a payment was refunded twice, or not at all"
    runs = [
        event
        for event in scaleout.ledger()
        if event["event"] == "run" and event["args"][:1] == ["payment_refund"]
    ]
    payments = Counter(event["args"][1]["payment_id"] for event in runs)
    assert len(payments) == len(ids)
    assert set(payments.values()) == {1}, "a refund task was run twice"


def test_one_beat_sends_each_tick_once_and_one_worker_runs_it(scaleout):
    def ticks() -> list[dict]:
        return [e for e in scaleout.ledger() if e["event"] == "tick"]

    eventually(lambda: len(ticks()) >= 6, "beat sends six probe ticks")
    sent = ticks()
    assert len({event["pid"] for event in sent}) == 1, "more than one beat sends the schedule"
    tick_ids = {event["id"] for event in sent}
    assert len(tick_ids) == len(sent)

    def runs() -> Counter[str]:
        return Counter(e["id"] for e in scaleout.ledger() if e["event"] == "run")

    eventually(lambda: tick_ids <= set(runs()), "every tick is run")
    assert all(runs()[tick] == 1 for tick in tick_ids), "a tick was run twice"


def test_every_event_is_recorded_once_and_published(scaleout):
    """The orders this run placed each tell their story once, and the relays on both workers
    publish every event (the sweep included): none is left, none is recorded twice."""

    def unpublished() -> int:
        return query("SELECT count(*) FROM servicelayer_event WHERE published_at IS NULL")[0][0]

    eventually(lambda: unpublished() == 0, "the relays publish every event")
    per_order = query(
        "SELECT o.id, o.status, "
        "count(*) FILTER (WHERE e.kind IN ('order.placed', 'order.confirmed')), "
        "count(*) FILTER (WHERE e.kind = 'order.paid'), "
        "count(*) FILTER (WHERE e.kind = 'order.refunded') "
        "FROM ordering_order o LEFT JOIN servicelayer_event e "
        "ON e.subject = 'order' AND e.subject_id = o.id "
        "WHERE o.id IN (SELECT order_id FROM ordering_orderline WHERE product_id = ANY(%s)) "
        "GROUP BY o.id, o.status",
        [list(scaleout.seeded.products.values())],  # this run's orders (the database is kept)
    )
    assert per_order, "the battery placed orders"
    paid_ids = {
        payable_id
        for (payable_id,) in query(
            "SELECT payable_id FROM payments_payment WHERE payable_kind = 'order' "
            "AND status IN ('succeeded', 'refund_pending', 'refunded')"
        )
    }
    for order_id, status, created, paid, refunded in per_order:
        assert created == 1, (order_id, "created events", created)
        assert paid == (1 if order_id in paid_ids else 0), (order_id, "paid events", paid)
        assert refunded == (1 if status == "canceled" and order_id in paid_ids else 0), (
            order_id,
            "refunded events",
            refunded,
        )


def test_every_published_task_ran_exactly_once_on_one_of_the_two_workers(scaleout):
    """Runs last: the whole session's messages (the refunds, beat's ticks) are in the ledger."""
    ledger = scaleout.ledger()
    published = {e["id"] for e in ledger if e["event"] == "published"}

    def ran() -> Counter[str]:
        return Counter(e["id"] for e in scaleout.ledger() if e["event"] == "run")

    eventually(lambda: published <= set(ran()), "every published task is run")
    runs = ran()
    assert {task: runs[task] for task in published if runs[task] != 1} == {}
    workers = {e["worker"].split("@")[0] for e in scaleout.ledger() if e["event"] == "run"}
    assert workers == {"worker1", "worker2"}, "both workers consume the one queue"
