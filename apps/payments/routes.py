"""Payments over REST. Translation only."""

from apps.actors import SHOPPER
from apps.ordering.interface import OrderNotFound
from apps.payments import selectors, services
from apps.payments.dto import PaymentOut
from servicelayer.rest.routes import Routes

routes = Routes(tag="payments")
routes.get(
    "orders/<pk:order_id>/payments/",
    selectors.payments_of_order,
    actor=SHOPPER,
    output=PaymentOut,
    many=True,
    errors=[OrderNotFound],
    name="order-payments",
)
routes.post("orders/<pk:order_id>/payments/", services.payment_pay, status=201, idempotent=True)

urlpatterns = routes.urls()
