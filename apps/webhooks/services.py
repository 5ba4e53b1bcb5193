"""Webhooks' services: merchants manage endpoints; the system makes and sends deliveries.

An event of a kind an active endpoint subscribes to becomes one `WebhookDelivery` per such
endpoint, made by the event relay's handler in the relay's transaction (so exactly once), with
its JSON body frozen then. Each delivery is sent by `webhook_deliver` (a task enqueued on
commit, and the periodic `webhook_deliver_due` for retries and for tasks that were lost):

1. *claim*: one conditional UPDATE takes the attempt if the delivery is pending and due, and
   moves `next_attempt_at` past the attempt's timeout (a lease): two workers never post the
   same attempt, and a worker that dies mid-post leaves a delivery that comes due again;
2. *post* outside any transaction, signed with a fresh timestamp (apps.webhooks.signing);
3. *settle*: record the attempt; a 2xx succeeds; anything else is due again after
   WEBHOOK_RETRY_BASE_SECONDS * 2^(attempts - 1), capped at WEBHOOK_RETRY_MAX_SECONDS and
   jittered down by up to WEBHOOK_RETRY_JITTER, until WEBHOOK_MAX_ATTEMPTS have failed (then
   the delivery has `failed`).

A delivery is posted at least once: a worker that dies after the POST and before settling
posts again when the lease ends, under the same `Agora-Webhook-Id`, which receivers use to
drop repeats."""

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from apps.roles import MERCHANT
from apps.webhooks import gateways, signing
from apps.webhooks.dto import (
    NewWebhookEndpoint,
    WebhookDeliveryRef,
    WebhookDeliveryResult,
    WebhookEndpointChanges,
    WebhookEndpointOut,
    WebhookEndpointRef,
    WebhookEndpointWithSecret,
    WebhooksDue,
)
from apps.webhooks.errors import WebhookEndpointNotFound
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from servicelayer import jsonutil
from servicelayer.events import EventData
from servicelayer.outside import call_outside
from servicelayer.registry import service
from servicelayer.roles import SYSTEM

logger = logging.getLogger(__name__)

HANDLER_NAME = "webhooks"
DUE_BATCH = 200  # deliveries enqueued per run of the due job; the next run takes the rest
LEASE_MARGIN_SECONDS = 30  # beyond the timeout, before an unsettled attempt is due again
Status = WebhookDelivery.Status


# --- endpoints (merchants) ----------------------------------------------------------------


def _out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut.model_validate(endpoint, from_attributes=True)


def _locked(endpoint_id: int) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise WebhookEndpointNotFound() from None


@service(role=MERCHANT, atomic=True)
def webhook_endpoint_create(*, actor: User, data: NewWebhookEndpoint) -> WebhookEndpointWithSecret:
    """Add an endpoint that receives the events of the kinds it names, each delivery signed
    with its secret. The secret is in this answer only: keep it."""
    endpoint = WebhookEndpoint.objects.create(secret=signing.new_secret(), **data.model_dump())
    return WebhookEndpointWithSecret.model_validate(endpoint, from_attributes=True)


@service(role=MERCHANT, errors=[WebhookEndpointNotFound], atomic=True)
def webhook_endpoint_update(*, actor: User, data: WebhookEndpointChanges) -> WebhookEndpointOut:
    """Change an endpoint's URL, event types or whether it is active; fields not given stay.
    Deliveries already made keep their body and go to the endpoint's URL as it is when sent;
    an inactive endpoint's pending deliveries wait until it is active again."""
    endpoint = _locked(data.endpoint_id)
    changes = data.model_dump(include=data.model_fields_set - {"endpoint_id"})
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    return _out(endpoint)


@service(role=MERCHANT, errors=[WebhookEndpointNotFound], atomic=True)
def webhook_endpoint_rotate_secret(
    *, actor: User, data: WebhookEndpointRef
) -> WebhookEndpointWithSecret:
    """Replace an endpoint's secret at once; every attempt from now on, retries included, is
    signed with the new one, shown in this answer only."""
    endpoint = _locked(data.endpoint_id)
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return WebhookEndpointWithSecret.model_validate(endpoint, from_attributes=True)


@service(role=MERCHANT, errors=[WebhookEndpointNotFound], atomic=True)
def webhook_endpoint_delete(*, actor: User, data: WebhookEndpointRef) -> None:
    """Delete an endpoint with its deliveries and their attempts; nothing more is sent to it."""
    _locked(data.endpoint_id).delete()


# --- making deliveries (the event relay's handler) ----------------------------------------


def delivery_body(event: EventData) -> str:
    """The JSON posted for an event: what happened, to what, and what the event says."""
    return jsonutil.dumps(
        {
            "event_id": event.id,
            "type": event.kind,
            "created_at": event.created_at,
            "subject": {"type": event.subject, "id": event.subject_id},
            "owner_id": event.owner_id,
            "data": event.payload,
        }
    ).decode()


def deliveries_for_event(event: EventData) -> None:
    """One pending delivery per active endpoint subscribed to the event's kind, each sent by a
    task once the relay's transaction commits (the due job sends any task that is lost)."""
    endpoints = [
        pk
        for pk, kinds in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "pk", "event_types"
        )
        if event.kind in kinds  # a JSON list is read here: containment differs per database
    ]
    if not endpoints:
        return
    body, now = delivery_body(event), timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=pk,
                event_id=event.id,
                event_type=event.kind,
                body=body,
                next_attempt_at=now,
            )
            for pk in endpoints
        ],
        ignore_conflicts=True,  # made already (a relay redelivered after a crash): unchanged
    )
    made = WebhookDelivery.objects.filter(
        event_id=event.id, endpoint_id__in=endpoints, status=Status.PENDING
    ).values_list("pk", flat=True)
    _enqueue(list(made))


def _enqueue(delivery_ids: list[int]) -> None:
    from servicelayer.tasks import enqueue  # the task module imports Celery: only when sending

    for pk in delivery_ids:
        enqueue(webhook_deliver, data=WebhookDeliveryRef(delivery_id=pk))


# --- sending ------------------------------------------------------------------------------


def retry_delay(failed_attempts: int) -> float:
    """Seconds before the next attempt after `failed_attempts` failures: doubling from
    WEBHOOK_RETRY_BASE_SECONDS, capped, jittered down so that deliveries that failed together
    (a receiver down) do not all come back in the same second."""
    ceiling = min(
        settings.WEBHOOK_RETRY_MAX_SECONDS,
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (failed_attempts - 1),
    )
    return ceiling * (1 - random.uniform(0, settings.WEBHOOK_RETRY_JITTER))


class _NotClaimed(Exception):
    """Not due, not pending, its endpoint inactive, or another worker has the attempt."""


class _Claim:
    def __init__(self, delivery: WebhookDelivery, url: str, secret: str) -> None:
        self.delivery, self.url, self.secret = delivery, url, secret


def _claim(delivery_id: int) -> _Claim:
    now = timezone.now()
    lease = timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    active = WebhookEndpoint.objects.filter(
        pk__in=WebhookDelivery.objects.filter(pk=delivery_id).values("endpoint_id"),
        is_active=True,
    ).exists()
    if not active:
        raise _NotClaimed()
    # Conditions on the row's own columns only: PostgreSQL re-checks those on the row a
    # competing claim just committed (a join would move them into a subquery that does not).
    taken = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease, updated_at=now)
    if not taken:
        raise _NotClaimed()
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    return _Claim(delivery, delivery.endpoint.url, delivery.endpoint.secret)


def _send(claim: _Claim) -> tuple[datetime, gateways.Posted]:
    delivery = claim.delivery
    at = timezone.now()
    timestamp = int(at.timestamp())
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "agora-webhooks/1.0",
        "Agora-Webhook-Id": str(delivery.pk),
        "Agora-Event-Id": str(delivery.event_id),
        "Agora-Event-Type": delivery.event_type,
        "Agora-Timestamp": str(timestamp),
        "Agora-Signature": signing.signature(claim.secret, timestamp, body),
    }
    posted = gateways.post(claim.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    return at, posted


def _settle(claim: _Claim, sent: tuple[datetime, gateways.Posted]) -> WebhookDeliveryResult:
    at, posted = sent
    delivery = claim.delivery
    WebhookAttempt.objects.create(
        delivery_id=delivery.pk,
        at=at,
        status_code=posted.status_code,
        error=posted.error,
        duration_ms=posted.duration_ms,
    )
    # Only the claim still current settles: after a lease ran out and another worker took
    # the next attempt, this late answer is kept as an attempt but decides nothing more
    # (unless it succeeded: then the receiver has it, whatever the other attempt says).
    current = WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING)
    outcome = {"last_status_code": posted.status_code, "last_error": posted.error}
    if posted.succeeded:
        current.update(
            status=Status.SUCCEEDED, next_attempt_at=None, updated_at=timezone.now(), **outcome
        )
        status = Status.SUCCEEDED
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        current.filter(attempts=delivery.attempts).update(
            status=Status.FAILED, next_attempt_at=None, updated_at=timezone.now(), **outcome
        )
        status = Status.FAILED
        logger.warning("webhook delivery given up", extra={"delivery_id": delivery.pk})
    else:
        due = timezone.now() + timedelta(seconds=retry_delay(delivery.attempts))
        current.filter(attempts=delivery.attempts).update(
            next_attempt_at=due, updated_at=timezone.now(), **outcome
        )
        status = Status.PENDING
    return WebhookDeliveryResult(delivery_id=delivery.pk, attempted=True, status=status)


@service(role=SYSTEM, outside=True)
def webhook_deliver(*, data: WebhookDeliveryRef) -> WebhookDeliveryResult:
    """Make one attempt at a delivery if it is due: claim it, POST it signed, record the
    attempt; a failure is retried later with exponential backoff (a task per delivery, and
    the periodic `webhook_deliver_due`)."""
    try:
        return call_outside(
            record=lambda: _claim(data.delivery_id),
            call=_send,
            settle=_settle,
        )
    except _NotClaimed:
        status = (
            WebhookDelivery.objects.filter(pk=data.delivery_id)
            .values_list("status", flat=True)
            .first()
        )
        return WebhookDeliveryResult(
            delivery_id=data.delivery_id, attempted=False, status=status or "deleted"
        )


@service(role=SYSTEM, atomic=True)
def webhook_deliver_due() -> WebhooksDue:
    """Enqueue an attempt for each delivery that is due: retries whose time has come, and
    deliveries whose task was lost (a periodic job; also callable by hand)."""
    due = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING,
            next_attempt_at__lte=timezone.now(),
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
    _enqueue(due)
    return WebhooksDue(enqueued=due)
