"""Reads of payments: a customer sees the payments of their own orders, a merchant all."""

from typing import Any

from apps.actors import SHOPPER
from apps.ordering.interface import OrderNotFound, ensure_order_visible
from apps.payments.dto import PAYMENT_FIELDS, PaymentOut
from apps.payments.models import Payment
from servicelayer.queries import query


@query(actor=SHOPPER, output=PaymentOut, errors=[OrderNotFound])
def payments_of_order(*, actor: Any, order_id: int) -> list[dict[str, Any]]:
    """The payment attempts of one of your orders, oldest first (a merchant: any order's).
    Another customer's order is not found."""
    ensure_order_visible(order_id, actor=actor)
    payments = Payment.objects.filter(order_id=order_id)
    return list(payments.order_by("id").values(*PAYMENT_FIELDS))
