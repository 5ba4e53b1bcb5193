from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "apps.ordering"
    label = "ordering"

    def ready(self) -> None:
        # Payments knows an order only as a payable reference and these callbacks.
        from apps.ordering.services import ORDER_PAYABLE
        from apps.payments.interface import ORDER, register_payable

        register_payable(ORDER, ORDER_PAYABLE)
