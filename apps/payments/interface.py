"""Payments' public interface, for the apps that sell: register a payable kind at start-up,
ask whether a payment of a payable is in flight, refund a payable's payment on cancel
(whole, or a part of it: a stay canceled for a fee); and, for the back office, a payable's
payment rows and the figures of failed payments and refunds.

Payments is the lower layer: it knows a payable only by reference (a kind and an id) and the
callbacks its kind registered; it imports no app that sells. Plain data only.
"""

from apps.payments.errors import (
    PayableNotFound,
    PaymentInProgress,
    RefundExceedsCaptured,
    not_found_error,
)
from apps.payments.payables import BOOKING, ORDER, Payable, PayableKind, register_payable
from apps.payments.selectors import (
    PAYMENT_TABLE_COLUMNS,
    PaymentFigures,
    PaymentRow,
    payment_figures,
    payment_rows,
    payment_table,
)
from apps.payments.services import payment_in_progress, refund_payable, refund_payable_part

__all__ = [
    "BOOKING",
    "ORDER",
    "PAYMENT_TABLE_COLUMNS",
    "OrderNotFound",
    "Payable",
    "PayableKind",
    "PayableNotFound",
    "PaymentFigures",
    "PaymentInProgress",
    "PaymentRow",
    "RefundExceedsCaptured",
    "payment_figures",
    "payment_in_progress",
    "payment_rows",
    "payment_table",
    "refund_payable",
    "refund_payable_part",
    "register_payable",
]

# What payments answers for an order it cannot find (code `order_not_found`).
OrderNotFound = not_found_error(ORDER)
