from datetime import datetime
from decimal import Decimal

from pydantic import Field

from servicelayer.dto import DTO, Id, Output

CardToken = Field(
    min_length=1,
    max_length=100,
    pattern=r"^(tok|pm)_[A-Za-z0-9_]+$",
    description="A card token or PaymentMethod id from the payment provider (Stripe.js; "
    "with the dummy gateway or Stripe's test mode: tok_visa).",
)


class NewPayment(DTO):
    order_id: Id
    card_token: str = CardToken


class NewBookingPayment(DTO):
    booking_id: Id
    card_token: str = CardToken


class PaymentRef(DTO):
    payment_id: Id


class RefundRef(DTO):
    refund_id: Id


class OrderPaymentsQuery(DTO):
    order_id: Id


class _PaymentFields(Output):
    id: int
    amount: Decimal
    currency: str
    status: str
    decline_reason: str
    gateway_reference: str
    # with status `requires_action`: what Stripe.js confirms the payment with (3-D Secure)
    client_secret: str
    amount_refunded: Decimal = Field(
        description="Given back so far, or being given back (partial refunds included)."
    )
    created_at: datetime
    updated_at: datetime


class PaymentOut(_PaymentFields):
    order_id: int


class BookingPaymentOut(_PaymentFields):
    booking_id: int


class ProviderEventIn(DTO):
    """A verified webhook event of the payment provider, reduced to what settles a payment."""

    event_id: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=100)
    charge_id: str = Field(default="", max_length=100)  # the PaymentIntent's id
    reference: str = Field(default="", max_length=100)  # our reference (its metadata)
    refund_id: str = Field(default="", max_length=100)
    refund_status: str = Field(default="", max_length=40)
    decline_reason: str = Field(default="", max_length=100)


class ProviderEventOut(Output):
    event_id: str
    handled: bool  # False: seen before, or of a kind that settles nothing
    payment_id: int | None


class RefundOut(Output):
    id: int
    payment_id: int
    amount: Decimal
    status: str
    provider_reference: str


class RefundsRetried(Output):
    refunded: list[int]
    still_pending: list[int]


class StalePaymentsSettled(Output):
    succeeded: list[int]  # charged: the order is paid
    refunded: list[int]  # charged, but the order could no longer be paid: refund under way
    failed: list[int]  # never charged: the order is free again
    unresolved: list[int]  # the provider could not tell: left for the next run


PAYMENT_FIELDS = tuple(PaymentOut.model_fields)
BOOKING_PAYMENT_FIELDS = tuple(BookingPaymentOut.model_fields)
