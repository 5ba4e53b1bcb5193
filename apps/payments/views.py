"""Payments over REST. Translation only."""

from apps.actors import SHOPPER
from apps.payments import selectors, services
from apps.payments.dto import PaymentOut
from apps.payments.interface import OrderNotFound
from servicelayer.rest.views import ServiceAPIView, read_endpoint, service_endpoint

ORDER = {"pk": "order_id"}


class OrderPayments(ServiceAPIView):
    get = read_endpoint(
        selectors.payments_of_order,
        actor=SHOPPER,
        output=PaymentOut,
        url_kwargs=ORDER,
        many=True,
        errors=[OrderNotFound],
    )
    post = service_endpoint(services.payment_pay, url_kwargs=ORDER, status=201, idempotent=True)
