from servicelayer.errors import NotFound


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    default_message = "There is no such webhook endpoint."
