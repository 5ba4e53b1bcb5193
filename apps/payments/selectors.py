"""Reads of payments: a customer sees the payments of their own orders, a merchant all."""

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q

from apps.payments.dto import PAYMENT_FIELDS, PaymentOut
from apps.payments.errors import not_found_error
from apps.payments.models import Payment, PaymentStatus
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


@dataclass(frozen=True)
class PaymentFigures:
    failed: int  # declined or failed since `since`
    refunds_pending: int  # of any age: the provider has not refunded them yet
    recent_failed: tuple[PaymentRow, ...]  # the latest failures, newest first
    pending_refunds: tuple[PaymentRow, ...]  # the oldest pending refunds first


def payment_figures(*, since: datetime, limit: int = 10) -> PaymentFigures:
    """Failed payments since `since` and refunds still pending, with a few of each (three
    queries, whatever the number of payments)."""
    counts = Payment.objects.aggregate(
        failed=Count("id", filter=Q(status__in=FAILED_STATUSES, created_at__gte=since)),
        refunds_pending=Count("id", filter=Q(status=PaymentStatus.REFUND_PENDING)),
    )
    failed = (
        Payment.objects.filter(status__in=FAILED_STATUSES, created_at__gte=since)
        .order_by("-id")
        .values_list(*PAYMENT_ROW_FIELDS)[:limit]
    )
    refunds = (
        Payment.objects.filter(status=PaymentStatus.REFUND_PENDING)
        .order_by("updated_at", "id")
        .values_list(*PAYMENT_ROW_FIELDS)[:limit]
    )
    return PaymentFigures(
        failed=counts["failed"],
        refunds_pending=counts["refunds_pending"],
        recent_failed=tuple(PaymentRow(*row) for row in failed),
        pending_refunds=tuple(PaymentRow(*row) for row in refunds),
    )
