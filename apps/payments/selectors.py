"""Reads of payments: a customer sees the payments of their own orders and bookings, a
merchant all."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q

from apps.payments.dto import (
    BOOKING_PAYMENT_FIELDS,
    PAYMENT_FIELDS,
    BookingPaymentOut,
    PaymentOut,
)
from apps.payments.errors import not_found_error
from apps.payments.models import Payment, PaymentStatus, Refund, RefundStatus
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


# --- for the back office (apps.backoffice, the admin): plain rows, a fixed number of queries ---

FAILED_STATUSES = (PaymentStatus.DECLINED, PaymentStatus.FAILED)


@dataclass(frozen=True)
class PaymentRow:
    """One payment attempt as a merchant reads it (a refund is its status and reference)."""

    id: int
    payable_kind: str
    payable_id: int
    owner_id: int
    amount: Decimal
    amount_refunded: Decimal  # by partial refunds (a stay canceled for a fee)
    currency: str
    status: str
    gateway_reference: str
    refund_reference: str
    decline_reason: str
    created_at: datetime
    updated_at: datetime


PAYMENT_ROW_FIELDS = tuple(field.name for field in fields(PaymentRow))


def payment_rows(kind: str, payable_id: int) -> list[PaymentRow]:
    """The payment attempts of one payable, oldest first, refunds included (one query). The
    caller has checked that its actor may see them."""
    rows = Payment.objects.of(kind, payable_id).order_by("id").values_list(*PAYMENT_ROW_FIELDS)
    return [PaymentRow(*row) for row in rows]


PAYMENT_TABLE_COLUMNS = (
    "Payment",
    "Amount",
    "Status",
    "Refunded",
    "Charge",
    "Refund",
    "Declined",
    "Made",
    "Changed",
)


def payment_table(kind: str, payable_id: int, link: Callable[[int], Any]) -> list[tuple[Any, ...]]:
    """One payable's payments as a merchant's table (PAYMENT_TABLE_COLUMNS), then its partial
    refunds, each a row of its own (two queries). `link(payment_id)` is the first cell: the
    delivery's way to the payment (an admin link)."""
    rows: list[tuple[Any, ...]] = [
        (
            link(p.id),
            f"{p.amount} {p.currency}",
            p.status,
            p.amount_refunded,
            p.gateway_reference or "-",
            p.refund_reference or "-",
            p.decline_reason or "-",
            p.created_at,
            p.updated_at,
        )
        for p in payment_rows(kind, payable_id)
    ]
    refunds = (
        Refund.objects.filter(payment__payable_kind=kind, payment__payable_id=payable_id)
        .order_by("id")
        .values_list(
            "payment_id", "amount", "status", "provider_reference", "created_at", "updated_at"
        )
    )
    for payment_id, amount, status, reference, created_at, updated_at in refunds:
        rows.append(
            (
                link(payment_id),
                f"-{amount}",
                f"refund {status}",
                amount,
                "-",
                reference or "-",
                "-",
                created_at,
                updated_at,
            )
        )
    return rows


@dataclass(frozen=True)
class PaymentFigures:
    failed: int  # declined or failed since `since`
    refunds_pending: int  # of any age, whole and partial: the provider has not refunded them yet
    recent_failed: tuple[PaymentRow, ...]  # the latest failures, newest first
    pending_refunds: tuple[PaymentRow, ...]  # payments with a refund pending, oldest first


def payment_figures(*, since: datetime, limit: int = 10) -> PaymentFigures:
    """Failed payments since `since` and refunds still pending (a payment refunded whole, or a
    partial refund), with a few of each (four queries, whatever the number of payments)."""
    counts = Payment.objects.aggregate(
        failed=Count("id", filter=Q(status__in=FAILED_STATUSES, created_at__gte=since)),
        refunds_pending=Count("id", filter=Q(status=PaymentStatus.REFUND_PENDING)),
    )
    partial_pending = Refund.objects.filter(status=RefundStatus.PENDING).count()
    failed = (
        Payment.objects.filter(status__in=FAILED_STATUSES, created_at__gte=since)
        .order_by("-id")
        .values_list(*PAYMENT_ROW_FIELDS)[:limit]
    )
    refunds = (
        Payment.objects.filter(
            Q(status=PaymentStatus.REFUND_PENDING) | Q(refunds__status=RefundStatus.PENDING)
        )
        .distinct()
        .order_by("updated_at", "id")
        .values_list(*PAYMENT_ROW_FIELDS)[:limit]
    )
    return PaymentFigures(
        failed=counts["failed"],
        refunds_pending=counts["refunds_pending"] + partial_pending,
        recent_failed=tuple(PaymentRow(*row) for row in failed),
        pending_refunds=tuple(PaymentRow(*row) for row in refunds),
    )
