"""Paying for orders and refunding them.

The gateway is never called inside a transaction that holds a lock. Paying is three steps:
(1) lock the order, check it awaits payment, record a `processing` payment, commit; (2) call
the gateway with the payment's own reference, outside any transaction; (3) record the outcome
and mark the order paid. A processing payment blocks a second payment, a cancellation and the
expiry of its order, so the charged amount is the order's total and stays it.

A worker that dies between (1) and (3) leaves its payment processing: payment_settle_stale
asks the gateway for the charge by that reference and settles it. Every change of a payment's
status is a conditional update (from the status it was seen in), and recording a charge locks
the order first, then the payment, so the worker and the job settle a payment once.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from apps.actors import SHOPPER, SYSTEM
from apps.ordering.interface import OrderNotFound, lock_order, mark_order_paid
from apps.payments.dto import (
    PayForOrder,
    PaymentOut,
    PaymentRef,
    RefundsRetried,
    StalePaymentsSettled,
)
from apps.payments.errors import (
    OrderNotPayable,
    PaymentDeclined,
    PaymentInProgress,
    PaymentNotFound,
    PaymentProviderUnavailable,
)
from apps.payments.gateways import Charge, GatewayDeclined, GatewayUnavailable, get_gateway
from apps.payments.models import Payment, PaymentStatus
from servicelayer.registry import service
from servicelayer.tasks import enqueue


def _out(payment: Payment) -> PaymentOut:
    return PaymentOut.model_validate(payment, from_attributes=True)


def _settle(payment: Payment, *, was: str = PaymentStatus.PROCESSING, **changes: str) -> bool:
    """Apply `changes` if the payment's status is still `was`; whether it was (a concurrent
    settlement of the same payment wins or loses whole)."""
    now = timezone.now()
    if not Payment.objects.filter(pk=payment.pk, status=was).update(**changes, updated_at=now):
        return False
    for name, value in {**changes, "updated_at": now}.items():
        setattr(payment, name, value)
    return True


def _record_charge(payment: Payment, charge: Charge) -> bool:
    """Record that the gateway charged `payment` (paying's step 3, or the job's settlement);
    False if that was done already: one reference, one charge. `payment` is current after.

    The order is locked first, as everywhere, then the payment. The charge pays the order if
    it still awaits payment and no other payment of it is in flight. Otherwise the charge is
    refunded: its payment had been given up by payment_settle_stale before the charge came
    back and the order has moved on (or, which should not happen, the order of a processing
    payment could no longer be paid)."""
    with transaction.atomic():
        order = lock_order(payment.order_id, owner=payment.owner_id)
        payment.refresh_from_db(from_queryset=Payment.objects.select_for_update())
        if payment.status not in (PaymentStatus.PROCESSING, PaymentStatus.FAILED):
            return False
        pays = order.awaits_payment and (
            payment.status == PaymentStatus.PROCESSING or not Payment.objects.in_progress(order.id)
        )
        if pays:
            mark_order_paid(order.id)
        _settle(
            payment,
            was=payment.status,
            status=PaymentStatus.SUCCEEDED if pays else PaymentStatus.REFUND_PENDING,
            gateway_reference=charge.id,
            decline_reason="",
        )
        if not pays:
            enqueue("payment_refund", data={"payment_id": payment.pk})
    return True


def _give_up(payment: Payment) -> bool:
    """Fail a stale payment the gateway has no charge for, which frees its order; False if
    it was settled meanwhile. A charge that still comes back is handled by _record_charge."""
    with transaction.atomic():
        lock_order(payment.order_id, owner=payment.owner_id)  # the order first, as everywhere
        return _settle(payment, status=PaymentStatus.FAILED, decline_reason="abandoned")


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
    nothing is charged (also when it answers only after the payment was given up as stale:
    that charge is refunded). An order already paid, canceled or expired: 409."""
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
    _record_charge(payment, charge)
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaymentProviderUnavailable(
            "The payment provider answered too late: the payment had been given up and its "
            "charge is refunded. Try again.",
            details={"payment_id": payment.pk},
        )
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


@service(actor=SYSTEM)
def payment_settle_stale() -> StalePaymentsSettled:
    """Settle payments still `processing` after PAYMENT_SETTLE_AFTER_SECONDS (default 120),
    left by a worker that died at the gateway, by asking the gateway for the charge made
    with the payment's reference (a periodic job; also callable by hand).

    Charged: the payment succeeds and the order is paid (if the order can no longer be paid,
    the charge is refunded). Not charged: the payment fails as `abandoned`, and the order
    may be paid, changed, canceled or expire again. Provider unavailable: left for the next
    run. Concurrent runs, and a worker that comes back late, settle a payment once."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYMENT_SETTLE_AFTER_SECONDS)
    gateway = get_gateway()
    result = StalePaymentsSettled(succeeded=[], refunded=[], failed=[], unresolved=[])
    stale = Payment.objects.filter(status=PaymentStatus.PROCESSING, created_at__lt=cutoff)
    for payment in stale.order_by("id"):
        try:
            charge = gateway.find_charge(payment.charge_reference)
        except GatewayUnavailable:
            result.unresolved.append(payment.pk)
            continue
        if charge is None:
            if _give_up(payment):
                result.failed.append(payment.pk)
        elif _record_charge(payment, charge):
            paid = payment.status == PaymentStatus.SUCCEEDED
            (result.succeeded if paid else result.refunded).append(payment.pk)
    return result
