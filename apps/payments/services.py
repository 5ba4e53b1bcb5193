"""Paying for orders and refunding them.

The gateway is never called inside a transaction that holds a lock. Paying is three steps:
(1) lock the order, check it awaits payment, record a `processing` payment, commit; (2) call
the gateway with the payment's own reference, outside any transaction; (3) record the outcome
and mark the order paid. A processing payment blocks a second payment, a cancellation and the
expiry of its order, so the charged amount is the order's total and stays it.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from apps.actors import SHOPPER, SYSTEM
from apps.ordering.interface import OrderNotFound, lock_order, mark_order_paid
from apps.payments.dto import PayForOrder, PaymentOut, PaymentRef, RefundsRetried
from apps.payments.errors import (
    OrderNotPayable,
    PaymentDeclined,
    PaymentInProgress,
    PaymentNotFound,
    PaymentProviderUnavailable,
)
from apps.payments.gateways import GatewayDeclined, GatewayUnavailable, get_gateway
from apps.payments.models import Payment, PaymentStatus
from servicelayer.registry import service


def _out(payment: Payment) -> PaymentOut:
    return PaymentOut.model_validate(payment, from_attributes=True)


def _settle(payment: Payment, **changes: str) -> None:
    for name, value in changes.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*changes, "updated_at"])


@service(
    actor=SHOPPER,
    errors=[
        OrderNotFound,
        OrderNotPayable,
        PaymentInProgress,
        PaymentDeclined,
        PaymentProviderUnavailable,
    ],
)
def payment_pay(*, actor: User, data: PayForOrder) -> PaymentOut:
    """Pay for your order awaiting payment with a card token: the order's total is charged.

    Declined: 402 with the reason, and the order can be paid again. Provider down: 503 and
    nothing is charged. An order already paid, canceled or expired: 409."""
    with transaction.atomic():
        order = lock_order(data.order_id, owner=actor)
        if not order.awaits_payment:
            raise OrderNotPayable(details={"status": order.status})
        if Payment.objects.in_progress(order.id):
            raise PaymentInProgress()
        payment = Payment.objects.create(
            order_id=order.id,
            owner=actor,
            amount=order.total,
            currency=settings.AGORA_CURRENCY,
        )
    try:
        charge = get_gateway().charge(
            amount=payment.amount,
            currency=payment.currency,
            token=data.card_token,
            reference=payment.charge_reference,
        )
    except GatewayDeclined as declined:
        _settle(payment, status=PaymentStatus.DECLINED, decline_reason=declined.reason)
        raise PaymentDeclined(
            details={"reason": declined.reason, "payment_id": payment.pk}
        ) from None
    except GatewayUnavailable:
        _settle(payment, status=PaymentStatus.FAILED)
        raise PaymentProviderUnavailable() from None
    with transaction.atomic():
        mark_order_paid(data.order_id)  # locks the order first, as everywhere
        _settle(payment, status=PaymentStatus.SUCCEEDED, gateway_reference=charge.id)
    return _out(payment)


@service(actor=SYSTEM, errors=[PaymentNotFound, PaymentProviderUnavailable])
def payment_refund(*, data: PaymentRef) -> PaymentOut:
    """Refund a payment whose order was canceled (runs as a task after the cancellation).

    The refund carries the payment's own reference, so running it twice refunds once."""
    payment = Payment.objects.filter(pk=data.payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    if payment.status != PaymentStatus.REFUND_PENDING:
        return _out(payment)
    try:
        refund = get_gateway().refund(
            charge_id=payment.gateway_reference,
            amount=payment.amount,
            reference=payment.refund_request_reference,
        )
    except GatewayUnavailable:
        raise PaymentProviderUnavailable("The refund will be retried.") from None
    with transaction.atomic():
        updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.REFUND_PENDING).update(
            status=PaymentStatus.REFUNDED, refund_reference=refund.id
        )
    payment.refresh_from_db()
    assert updated or payment.status == PaymentStatus.REFUNDED
    return _out(payment)


@service(actor=SYSTEM)
def payment_retry_refunds() -> RefundsRetried:
    """Retry every refund still pending (a periodic job; also callable by hand)."""
    refunded, pending = [], []
    for payment_id in Payment.objects.filter(status=PaymentStatus.REFUND_PENDING).values_list(
        "id", flat=True
    ):
        try:
            payment_refund(actor=None, data={"payment_id": payment_id})
            refunded.append(payment_id)
        except PaymentProviderUnavailable:
            pending.append(payment_id)
    return RefundsRetried(refunded=refunded, still_pending=pending)
