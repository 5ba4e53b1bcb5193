"""Reads of payments: a customer sees the payments of their own orders and bookings, a
merchant all."""

from typing import Any

from django.db.models import F

from apps.payments.dto import (
    BOOKING_PAYMENT_FIELDS,
    PAYMENT_FIELDS,
    BookingPaymentOut,
    PaymentOut,
)
from apps.payments.errors import not_found_error
from apps.payments.models import Payment
from apps.payments.payables import BOOKING, ORDER, payable_kind
from apps.roles import SHOPPER, TRAVELLER
from servicelayer.queries import query


@query(role=SHOPPER, output=PaymentOut, errors=[not_found_error(ORDER)])
def payments_of_order(*, actor: Any, order_id: int) -> list[dict[str, Any]]:
    """The payment attempts of one of your orders, oldest first (a merchant: any order's).
    Another customer's order is not found."""
    if not payable_kind(ORDER).visible(order_id, actor):
        raise not_found_error(ORDER)()
    payments = Payment.objects.of(ORDER, order_id).annotate(order_id=F("payable_id"))
    return list(payments.order_by("id").values(*PAYMENT_FIELDS))


@query(role=TRAVELLER, output=BookingPaymentOut, errors=[not_found_error(BOOKING)])
def payments_of_booking(*, actor: Any, booking_id: int) -> list[dict[str, Any]]:
    """The payment attempts of one of your bookings, oldest first, with what was refunded
    (a merchant: any booking's). Another traveller's booking is not found."""
    if not payable_kind(BOOKING).visible(booking_id, actor):
        raise not_found_error(BOOKING)()
    payments = Payment.objects.of(BOOKING, booking_id).annotate(booking_id=F("payable_id"))
    return list(payments.order_by("id").values(*BOOKING_PAYMENT_FIELDS))
