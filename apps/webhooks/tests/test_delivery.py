"""Deliveries to a real receiver on 127.0.0.1: signed posts, their headers and body, retries on
a schedule, giving up, and exactly one delivery per endpoint and event."""

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from apps.webhooks.dto import WebhookDeliveryRef
from apps.webhooks.models import WebhookAttempt, WebhookDelivery
from apps.webhooks.services import (
    deliveries_for_event,
    retry_delay,
    webhook_deliver,
    webhook_deliver_due,
)
from servicelayer import events
from servicelayer.events import EventData, event_relay
from servicelayer.models import Event

pytestmark = pytest.mark.django_db


def readme_verify() -> Callable[..., bool]:
    """The verification snippet of the README's "Webhooks" section, run as a receiver would."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("\n## Webhooks\n", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # the repository's own README
    return namespace["verify"]


def verify_as_a_receiver_would(secret: str, headers: Any, body: bytes) -> bool:
    return readme_verify()(secret, dict(headers.items()), body)


def test_a_delivery_is_posted_with_its_headers_and_a_signature_that_verifies(
    receiver, make_endpoint, relay, clock
):
    endpoint = make_endpoint(receiver.url)
    event_id = relay("order.paid", amount="12.50", payment_id=3)

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/agora"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Agora-Webhook-Id"] == str(delivery.pk)
    assert request.headers["Agora-Event-Id"] == str(event_id)
    assert request.headers["Agora-Event-Type"] == "order.paid"
    assert request.headers["Agora-Timestamp"] == str(int(clock.now.timestamp()))
    assert verify_as_a_receiver_would(endpoint.secret, request.headers, request.body)
    assert not verify_as_a_receiver_would("whsec_another", request.headers, request.body)
    assert request.body == delivery.body.encode()
    body = json.loads(request.body)
    assert body == {
        "event_id": event_id,
        "type": "order.paid",
        "created_at": body["created_at"],
        "subject": {"type": "order", "id": 42},
        "owner_id": 7,
        "data": {"amount": "12.50", "payment_id": 3},
    }
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.next_attempt_at is None
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.error, attempt.at) == (200, "", clock.now)


def test_a_500_then_a_200_is_two_attempts_the_second_after_the_backoff(
    receiver, make_endpoint, relay, clock, run_tasks
):
    receiver.script = [500]
    make_endpoint(receiver.url)
    relay()
    delivery = WebhookDelivery.objects.get()
    first_at = clock.now
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "The receiver answered 500."
    assert delivery.next_attempt_at == first_at + timedelta(seconds=30)

    clock.advance(29)  # not due yet: neither the job nor a stray task posts
    assert run_tasks(webhook_deliver_due).enqueued == []
    assert not webhook_deliver(data=WebhookDeliveryRef(delivery_id=delivery.pk)).attempted
    assert len(receiver.requests) == 1

    clock.advance(1)
    assert run_tasks(webhook_deliver_due).enqueued == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    attempts = list(WebhookAttempt.objects.order_by("id").values_list("at", "status_code"))
    assert attempts == [(first_at, 500), (first_at + timedelta(seconds=30), 200)]
    [first, second] = receiver.requests
    assert first.headers["Agora-Webhook-Id"] == second.headers["Agora-Webhook-Id"]
    assert first.body == second.body  # frozen when made
    assert int(second.headers["Agora-Timestamp"]) == int(first.headers["Agora-Timestamp"]) + 30


def test_it_gives_up_after_the_last_attempt_each_retry_twice_as_late(
    settings, receiver, make_endpoint, relay, clock, run_tasks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.script = [500, 502, 503, 500, 500]
    make_endpoint(receiver.url)
    relay()
    delivery = WebhookDelivery.objects.get()
    waits = []
    while delivery.status == "pending":
        waits.append((delivery.next_attempt_at - clock.now).total_seconds())
        clock.now = delivery.next_attempt_at
        run_tasks(webhook_deliver_due)
        delivery.refresh_from_db()
    assert waits == [30, 60, 120]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert len(receiver.requests) == 4
    clock.advance(86400)
    assert run_tasks(webhook_deliver_due).enqueued == []  # given up: never sent again
    assert not webhook_deliver(data=WebhookDeliveryRef(delivery_id=delivery.pk)).attempted


def test_backoff_doubles_up_to_its_cap_and_is_jittered_down(settings):
    settings.WEBHOOK_RETRY_MAX_SECONDS = 200
    settings.WEBHOOK_RETRY_JITTER = 0.0
    assert [retry_delay(n) for n in range(1, 6)] == [30, 60, 120, 200, 200]
    settings.WEBHOOK_RETRY_JITTER = 0.2
    delays = {retry_delay(2) for _ in range(50)}
    assert all(48 <= delay <= 60 for delay in delays)
    assert len(delays) > 1


def test_an_answer_that_never_comes_is_a_failed_attempt(settings, receiver, make_endpoint, relay):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    receiver.script = ["hang"]
    make_endpoint(receiver.url)
    relay()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == "No answer within 0.2 s."
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error == delivery.last_error


def test_a_redirect_is_not_followed(receiver, make_endpoint, relay):
    receiver.script = [307]
    make_endpoint(receiver.url)
    relay()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().last_status_code == 307


def test_each_subscribed_active_endpoint_gets_one_delivery_however_often_it_is_relayed(
    receiver, make_endpoint, relay, run_tasks
):
    paid = make_endpoint(receiver.url + "/a", ("order.paid", "order.shipped"))
    also_paid = make_endpoint(receiver.url + "/b", ("order.paid",))
    make_endpoint(receiver.url + "/c", ("order.shipped",))
    make_endpoint(receiver.url + "/d", ("order.paid",), is_active=False)
    event_id = relay("order.paid")
    run_tasks(event_relay)  # published already: nothing happens again
    # the handler run again, as after a crash before its transaction committed
    event = Event.objects.get(pk=event_id)
    data = EventData(
        event.pk, event.kind, event.subject, event.subject_id, None, {}, event.created_at
    )
    run_tasks(lambda: deliveries_for_event(data))
    deliveries = WebhookDelivery.objects.values_list("endpoint_id", "event_id", "status")
    assert sorted(deliveries) == [
        (paid.id, event_id, "succeeded"),
        (also_paid.id, event_id, "succeeded"),
    ]
    assert sorted(r.path for r in receiver.requests) == ["/hooks/agora/a", "/hooks/agora/b"]


def test_kinds_nobody_subscribed_to_make_no_delivery(receiver, make_endpoint, relay):
    make_endpoint(receiver.url, ("booking.confirmed",))
    relay("order.paid")
    relay("account.password_reset_asked")
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []
    assert "webhooks" not in events.handlers.of("account.password_reset_asked")


def test_an_inactive_endpoints_pending_delivery_waits_and_a_deleted_ones_is_gone(
    receiver, make_endpoint, relay, clock, run_tasks, merchant
):
    from apps.webhooks.dto import WebhookEndpointChanges, WebhookEndpointRef
    from apps.webhooks.services import webhook_endpoint_delete, webhook_endpoint_update

    receiver.script = [500]
    endpoint = make_endpoint(receiver.url)
    relay()
    changes = WebhookEndpointChanges(endpoint_id=endpoint.id, is_active=False)
    webhook_endpoint_update(actor=merchant, data=changes)
    clock.advance(3600)
    assert run_tasks(webhook_deliver_due).enqueued == []
    delivery = WebhookDelivery.objects.get()
    assert not webhook_deliver(data=WebhookDeliveryRef(delivery_id=delivery.pk)).attempted
    webhook_endpoint_delete(actor=merchant, data=WebhookEndpointRef(endpoint_id=endpoint.id))
    assert not WebhookDelivery.objects.exists()
    assert not WebhookAttempt.objects.exists()
    assert len(receiver.requests) == 1
