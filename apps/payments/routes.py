"""Payments over REST. Translation only."""

from apps.payments import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="payments")
routes.get("orders/<pk:order_id>/payments/", selectors.payments_of_order, name="order-payments")
routes.post("orders/<pk:order_id>/payments/", services.payment_pay, status=201, idempotent=True)

urlpatterns = routes.urls()
