"""Payments over REST. Translation only."""

from apps.actors import SHOPPER
from apps.payments import selectors, services
from apps.payments.dto import PaymentOut
from apps.payments.errors import not_found_error
from apps.payments.payables import ORDER
from servicelayer.rest.routes import Routes

routes = Routes(tag="payments")
routes.get(
    "orders/<pk:order_id>/payments/",
    selectors.payments_of_order,
    actor=SHOPPER,
    output=PaymentOut,
    many=True,
    errors=[not_found_error(ORDER)],
    name="order-payments",
)
routes.post("orders/<pk:order_id>/payments/", services.payment_pay, status=201, idempotent=True)

urlpatterns = routes.urls()
