from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ServiceLayerConfig(AppConfig):
    name = "servicelayer"
    verbose_name = "Service layer"

    def ready(self) -> None:
        # Services register themselves on import; importing every app's `services` module
        # makes the catalog, the CLI and the Celery task see all of them.
        autodiscover_modules("services")
        from servicelayer.rest import schema  # noqa: F401  (registers the OpenAPI extension)
