from django.contrib import admin

from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("id", "url", "event_types", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url",)
    exclude = ("secret",)  # shown once, to the merchant who made the endpoint
    readonly_fields = ("created_at", "updated_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("id", "endpoint", "event_type", "event_id", "status", "attempts")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin[WebhookAttempt]):
    list_display = ("id", "delivery", "at", "status_code", "error", "duration_ms")
    readonly_fields = [f.name for f in WebhookAttempt._meta.fields]
