from datetime import datetime
from decimal import Decimal

from pydantic import Field

from servicelayer.dto import DTO, Id, Output


class NewPayment(DTO):
    order_id: Id
    card_token: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^tok_[A-Za-z0-9_]+$",
        description="A card token from the payment provider (with the dummy gateway: tok_visa).",
    )


class PaymentRef(DTO):
    payment_id: Id


class OrderPaymentsQuery(DTO):
    order_id: Id


class PaymentOut(Output):
    id: int
    order_id: int
    amount: Decimal
    currency: str
    status: str
    decline_reason: str
    gateway_reference: str
    created_at: datetime
    updated_at: datetime


class RefundsRetried(Output):
    refunded: list[int]
    still_pending: list[int]


class StalePaymentsSettled(Output):
    succeeded: list[int]  # charged: the order is paid
    refunded: list[int]  # charged, but the order could no longer be paid: refund under way
    failed: list[int]  # never charged: the order is free again
    unresolved: list[int]  # the provider could not tell: left for the next run


PAYMENT_FIELDS = tuple(PaymentOut.model_fields)
