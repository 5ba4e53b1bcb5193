"""Webhooks over REST, for merchants. Translation only: every rule lives in services."""

from apps.webhooks import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="webhooks")
routes.get("webhook-endpoints/", selectors.webhook_endpoint_list, name="webhook-endpoint-list")
routes.post("webhook-endpoints/", services.webhook_endpoint_create, status=201)
routes.get(
    "webhook-endpoints/<pk:endpoint_id>/",
    selectors.webhook_endpoint_get,
    name="webhook-endpoint-detail",
)
routes.patch("webhook-endpoints/<pk:endpoint_id>/", services.webhook_endpoint_update)
routes.delete("webhook-endpoints/<pk:endpoint_id>/", services.webhook_endpoint_delete, status=204)
routes.post(
    "webhook-endpoints/<pk:endpoint_id>/rotate-secret/",
    services.webhook_endpoint_rotate_secret,
    name="webhook-endpoint-rotate-secret",
)
routes.get(
    "webhook-endpoints/<pk:endpoint_id>/deliveries/",
    selectors.webhook_delivery_list,
    name="webhook-delivery-list",
)

urlpatterns = routes.urls()
