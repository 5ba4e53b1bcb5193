"""Webhook endpoints in the back office: created, edited, given a new secret and deleted
through webhooks' services, so a URL is checked (https, a public host: apps/webhooks/targets.py)
whichever way it comes in, and a secret is shown once, when made. Deliveries and their attempts
are a record of what was sent: read only."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.roles import MERCHANT
from apps.webhooks.dto import NewWebhookEndpoint, WebhookEndpointChanges, WebhookEndpointRef
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from servicelayer.adminkit import (
    Button,
    CommaListField,
    ReadOnly,
    ServiceButtons,
    ServiceModelForm,
    ServiceSave,
    actor_of,
)

SECRET_SHOWN = "Its secret, shown this once: {secret}. Keep it: it signs every delivery."


class WebhookEndpointForm(ServiceModelForm):
    new = NewWebhookEndpoint
    changes = WebhookEndpointChanges
    ref = "endpoint_id"
    creates = ("url", "event_types", "is_active")
    updates = creates

    event_types = CommaListField(help_text="Kinds of event, separated by commas: order.paid, …")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "event_types", "is_active"]


def _ref(endpoint_id: int) -> WebhookEndpointRef:
    return WebhookEndpointRef(endpoint_id=endpoint_id)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceSave, ServiceButtons):
    role = MERCHANT
    form = WebhookEndpointForm
    create_service = webhook_endpoint_create
    update_service = webhook_endpoint_update
    list_display = ("id", "url", "event_types", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url",)
    readonly_fields = ("created_at", "updated_at")
    buttons = (
        Button(
            "rotate",
            "New secret",
            webhook_endpoint_rotate_secret,
            _ref,
            done="A new secret for {obj.url}, shown this once: {obj.secret}",
            confirm="Replace the secret? Deliveries are signed with the new one at once.",
        ),
    )

    def saved(self, request: HttpRequest, out: Any, change: bool) -> None:
        if not change:
            messages.warning(request, SECRET_SHOWN.format(secret=out.secret))

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhook_endpoint_delete(actor=actor_of(request), data=_ref(obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            webhook_endpoint_delete(actor=actor_of(request), data=_ref(pk))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._role_allows(request)  # through webhook_endpoint_delete

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # the service deletes its deliveries and attempts with it: no permission of their own
        # (they are read only here) is needed for that
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    list_display = ("id", "endpoint", "event_type", "event_id", "status", "attempts")
    list_filter = ("status", "event_type")


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnly):
    list_display = ("id", "delivery", "at", "status_code", "error", "duration_ms")
