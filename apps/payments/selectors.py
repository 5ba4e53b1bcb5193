"""Reads of payments: a customer sees the payments of their own orders, a merchant all."""

from typing import Any

from django.db.models import F

from apps.payments.dto import PAYMENT_FIELDS, PaymentOut
from apps.payments.errors import not_found_error
from apps.payments.models import Payment
from apps.payments.payables import ORDER, payable_kind
from apps.roles import SHOPPER
from servicelayer.queries import query


@query(role=SHOPPER, output=PaymentOut, errors=[not_found_error(ORDER)])
def payments_of_order(*, actor: Any, order_id: int) -> list[dict[str, Any]]:
    """The payment attempts of one of your orders, oldest first (a merchant: any order's).
    Another customer's order is not found."""
    if not payable_kind(ORDER).visible(order_id, actor):
        raise not_found_error(ORDER)()
    payments = Payment.objects.of(ORDER, order_id).annotate(order_id=F("payable_id"))
    return list(payments.order_by("id").values(*PAYMENT_FIELDS))
