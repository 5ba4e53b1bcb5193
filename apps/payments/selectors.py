"""Reads of payments: a customer sees the payments of their own orders, a merchant all."""

from typing import Any

from apps.payments.dto import PAYMENT_FIELDS
from apps.payments.models import Payment


def payments_of_order(*, actor: Any, order_id: int) -> list[dict[str, Any]]:
    """The payment attempts of one order, oldest first (another customer's order: none)."""
    payments = Payment.objects.filter(order_id=order_id)
    if not actor.is_staff:
        payments = payments.filter(owner=actor)
    return list(payments.order_by("id").values(*PAYMENT_FIELDS))
