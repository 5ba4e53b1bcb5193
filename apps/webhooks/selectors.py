"""Reads of webhooks, for merchants: the endpoints (a handful, one query, no page; never their
secrets) and an endpoint's deliveries with their attempts, newest first (two queries a page)."""

from typing import Any

from apps.roles import MERCHANT
from apps.webhooks.dto import (
    ATTEMPT_FIELDS,
    DELIVERY_FIELDS,
    ENDPOINT_FIELDS,
    WebhookDeliveryOut,
    WebhookDeliveryQuery,
    WebhookEndpointOut,
)
from apps.webhooks.errors import WebhookEndpointNotFound
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query


@query(role=MERCHANT, output=WebhookEndpointOut)
def webhook_endpoint_list(*, actor: Any) -> list[dict[str, Any]]:
    """The webhook endpoints, oldest first (their secrets are shown only when made)."""
    return list(WebhookEndpoint.objects.order_by("id").values(*ENDPOINT_FIELDS))


@query(role=MERCHANT, output=WebhookEndpointOut, errors=[WebhookEndpointNotFound])
def webhook_endpoint_get(*, actor: Any, endpoint_id: int) -> dict[str, Any]:
    """One webhook endpoint."""
    row = WebhookEndpoint.objects.filter(pk=endpoint_id).values(*ENDPOINT_FIELDS).first()
    if row is None:
        raise WebhookEndpointNotFound()
    return row


@query(role=MERCHANT, output=WebhookDeliveryOut, errors=[WebhookEndpointNotFound])
def webhook_delivery_list(*, actor: Any, endpoint_id: int, params: WebhookDeliveryQuery) -> Page:
    """An endpoint's deliveries, newest first, each with its attempts (status codes, errors,
    durations) and the body they posted; `status` keeps those pending, succeeded or failed."""
    if not WebhookEndpoint.objects.filter(pk=endpoint_id).exists():
        raise WebhookEndpointNotFound()
    deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint_id)
    if params.status is not None:
        deliveries = deliveries.filter(status=params.status)
    page = keyset_page(
        deliveries.values(*DELIVERY_FIELDS),
        ordering=("-id",),
        size=params.page_size,
        cursor=params.cursor,
    )
    attempts: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in page.results}
    for row in (
        WebhookAttempt.objects.filter(delivery_id__in=attempts)
        .order_by("id")
        .values("delivery_id", *ATTEMPT_FIELDS)
    ):
        attempts[row.pop("delivery_id")].append(row)
    for row in page.results:
        row["attempt_log"] = attempts[row["id"]]
    return page
