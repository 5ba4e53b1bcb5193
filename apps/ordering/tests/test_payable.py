"""Orders are payments' payable kind "order": registered at start-up, and a missing order
answers the same from payments as from ordering."""

from apps.ordering.errors import OrderNotFound
from apps.ordering.services import ORDER_PAYABLE
from apps.payments import interface as payments
from apps.payments.payables import payable_kind


def test_ordering_registers_orders_as_a_payable_kind_at_start_up():
    assert payable_kind(payments.ORDER) is ORDER_PAYABLE


def test_payments_answers_a_missing_order_as_ordering_does():
    assert payments.OrderNotFound().as_body() == OrderNotFound().as_body()
    assert issubclass(payments.OrderNotFound, payments.PayableNotFound)
