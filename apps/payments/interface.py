"""Payments' public interface, for the apps that sell: register a payable kind at start-up,
ask whether a payment of a payable is in flight, refund a payable's payment on cancel; and,
for the back office, a payable's payment rows and the figures of failed payments and refunds.

Payments is the lower layer: it knows a payable only by reference (a kind and an id) and the
callbacks its kind registered; it imports no app that sells. Plain data only.
"""

from apps.payments.errors import PayableNotFound, PaymentInProgress, not_found_error
from apps.payments.payables import ORDER, Payable, PayableKind, register_payable
from apps.payments.selectors import PaymentFigures, PaymentRow, payment_figures, payment_rows
from apps.payments.services import payment_in_progress, refund_payable

__all__ = [
    "ORDER",
    "OrderNotFound",
    "Payable",
    "PayableKind",
    "PayableNotFound",
    "PaymentFigures",
    "PaymentInProgress",
    "PaymentRow",
    "payment_figures",
    "payment_in_progress",
    "payment_rows",
    "refund_payable",
    "register_payable",
]

# What payments answers for an order it cannot find (code `order_not_found`).
OrderNotFound = not_found_error(ORDER)
