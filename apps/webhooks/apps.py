from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # One handler per offered kind, under one name: its EventDelivery row makes the
        # deliveries of an event exactly once however often the relay runs.
        from apps.webhooks.kinds import OFFERED_KINDS
        from apps.webhooks.services import HANDLER_NAME, deliveries_for_event
        from servicelayer import events

        for kind in OFFERED_KINDS:
            events.handlers.register(kind, HANDLER_NAME, deliveries_for_event)
