"""Deliveries at once on PostgreSQL: two workers handed the same delivery post it once."""

import pytest
from django.utils import timezone

from apps.webhooks.dto import WebhookDeliveryRef
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_deliver
from tests.races import run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_delivering_one_delivery_at_once_post_it_once(receiver):
    endpoint = WebhookEndpoint.objects.create(
        url=receiver.url, secret="whsec_x", event_types=["order.paid"]
    )
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=n,
            event_type="order.paid",
            body="{}",
            next_attempt_at=timezone.now(),
        )
        for n in range(1, 11)
    ]
    calls = [
        lambda pk=delivery.pk: webhook_deliver(data=WebhookDeliveryRef(delivery_id=pk))
        for delivery in deliveries
        for _ in range(2)
    ]
    results = run_all(calls)
    assert sum(result.attempted for result in results) == 10
    ids = sorted(int(request.headers["Agora-Webhook-Id"]) for request in receiver.requests)
    assert ids == [delivery.pk for delivery in deliveries]
    assert WebhookAttempt.objects.count() == 10
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("succeeded", 1)}
