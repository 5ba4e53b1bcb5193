"""Paying for payables (orders today) and refunding them.

Payments is the lower layer: it knows what it charges by reference (a payable kind and an id)
and reaches the payable only through the callbacks its kind registered (payables.py).

The gateway is never called inside a transaction that holds a lock. Paying is three steps:
(1) lock the payable, check it may be paid, record a `processing` payment, commit; (2) call
the gateway with the payment's own reference, outside any transaction; (3) record the outcome
and mark the payable paid. A processing payment blocks a second payment, a cancellation and
the expiry of its payable, so the charged amount is the payable's and stays it.

A worker that dies between (1) and (3) leaves its payment processing: payment_settle_stale
asks the gateway for the charge by that reference and settles it. Every change of a payment's
status is a conditional update (from the status it was seen in), and recording a charge locks
the payable first, then the payment, so the worker and the job settle a payment once.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from apps.payments.dto import (
    NewPayment,
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
    not_found_error,
    not_ready_error,
)
from apps.payments.gateways import Charge, GatewayDeclined, GatewayUnavailable, get_gateway
from apps.payments.models import Payment, PaymentStatus
from apps.payments.payables import ORDER, Payable, payable_kind
from apps.roles import SHOPPER, SYSTEM
from servicelayer import events
from servicelayer.errors import ServiceError
from servicelayer.outside import call_outside
from servicelayer.registry import service
from servicelayer.tasks import enqueue


def _out(payment: Payment) -> PaymentOut:
    """The output of a payment (payments_of_order reads the same fields as rows)."""
    return PaymentOut(
        id=payment.pk,
        order_id=payment.payable_id,
        amount=payment.amount,
        currency=payment.currency,
        status=payment.status,
        decline_reason=payment.decline_reason,
        gateway_reference=payment.gateway_reference,
        created_at=payment.created_at,
        updated_at=payment.updated_at,
    )


def _lock_payable(kind: str, payable_id: int, *, owner: Any) -> Payable:
    """Lock one of `owner`'s payables through its kind (the payable row first, as everywhere:
    then the payment); its kind's not-found error if there is none."""
    payable = payable_kind(kind).lock(payable_id, owner)
    if payable is None:
        raise not_found_error(kind)()
    return payable


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

    The payable is locked first, as everywhere, then the payment. The charge pays the payable
    if it may still be paid and no other payment of it is in flight. Otherwise the charge is
    refunded: its payment had been given up by payment_settle_stale before the charge came
    back and the payable has moved on (or, which should not happen, the payable of a
    processing payment could no longer be paid). Call it in a transaction: the locks are held
    until that commits."""
    kind, payable_id = payment.payable_kind, payment.payable_id
    payable = _lock_payable(kind, payable_id, owner=payment.owner_id)
    payment.refresh_from_db(from_queryset=Payment.objects.select_for_update())
    if payment.status not in (PaymentStatus.PROCESSING, PaymentStatus.FAILED):
        return False
    pays = payable.may_pay and (
        payment.status == PaymentStatus.PROCESSING
        or not Payment.objects.in_progress(kind, payable_id)
    )
    if pays:
        payable_kind(kind).on_paid(payable_id)
        events.record(
            f"{kind}.paid",
            subject=kind,
            subject_id=payable_id,
            owner=payment.owner_id,
            payload={
                "payment_id": payment.pk,
                "amount": payment.amount,
                "currency": payment.currency,
            },
        )
    _settle(
        payment,
        was=payment.status,
        status=PaymentStatus.SUCCEEDED if pays else PaymentStatus.REFUND_PENDING,
        gateway_reference=charge.id,
        decline_reason="",
    )
    if not pays:
        enqueue(payment_refund, data=PaymentRef(payment_id=payment.pk))
    return True


def _give_up(payment: Payment) -> bool:
    """Fail a stale payment the gateway has no charge for, which frees its payable; False if
    it was settled meanwhile. A charge that still comes back is handled by _record_charge."""
    with transaction.atomic():
        # the payable first, as everywhere
        _lock_payable(payment.payable_kind, payment.payable_id, owner=payment.owner_id)
        return _settle(payment, status=PaymentStatus.FAILED, decline_reason="abandoned")


def payment_in_progress(kind: str, payable_id: int) -> bool:
    """Whether a payment of this payable is being processed (call with the payable locked)."""
    return Payment.objects.in_progress(kind, payable_id)


def refund_payable(kind: str, payable_id: int) -> None:
    """Within the caller's transaction (the payable locked): mark the payable's successful
    payment for refund, and refund it through the gateway once that transaction commits."""
    payment_ids = list(
        Payment.objects.select_for_update()
        .of(kind, payable_id)
        .filter(status=PaymentStatus.SUCCEEDED)
        .values_list("id", flat=True)
    )
    Payment.objects.filter(pk__in=payment_ids).update(status=PaymentStatus.REFUND_PENDING)
    for payment_id in payment_ids:
        enqueue(payment_refund, data=PaymentRef(payment_id=payment_id))


@service(
    role=SHOPPER,
    errors=[
        not_found_error(ORDER),
        OrderNotPayable,
        not_ready_error(ORDER),
        PaymentInProgress,
        PaymentDeclined,
        PaymentProviderUnavailable,
    ],
    outside=True,
)
def payment_pay(*, actor: User, data: NewPayment) -> PaymentOut:
    """Pay for your order awaiting payment with a card token: the order's total is charged.

    Declined: 402 with the reason, and the order can be paid again. Provider down: 503 and
    nothing is charged (also when it answers only after the payment was given up as stale:
    that charge is refunded). An order already paid, canceled or expired: 409. An order of
    goods that ship without a shipping address or method: 409 `order_not_ready`, whose
    `details.missing` names them (`shipping_address`, `shipping_method`)."""

    def record() -> Payment:
        payable = _lock_payable(ORDER, data.order_id, owner=actor)
        if not payable.may_pay:
            raise OrderNotPayable(details={"status": payable.status})
        if payable.missing:
            missing = " and ".join(name.replace("_", " ") for name in payable.missing)
            raise not_ready_error(ORDER)(
                f"Set the order's {missing} before paying.",
                details={"missing": list(payable.missing)},
            )
        if Payment.objects.in_progress(ORDER, data.order_id):
            raise PaymentInProgress()
        return Payment.objects.create(
            payable_kind=ORDER,
            payable_id=data.order_id,
            owner=actor,
            amount=payable.amount,
            currency=payable.currency,
        )

    def charge(payment: Payment) -> Charge:
        return get_gateway().charge(
            amount=payment.amount,
            currency=payment.currency,
            token=data.card_token,
            reference=payment.charge_reference,
        )

    def settle(payment: Payment, charge: Charge) -> PaymentOut | ServiceError:
        _record_charge(payment, charge)
        if payment.status != PaymentStatus.SUCCEEDED:
            return PaymentProviderUnavailable(
                "The payment provider answered too late: the payment had been given up and its "
                "charge is refunded. Try again.",
                details={"payment_id": payment.pk},
            )
        return _out(payment)

    def failed(payment: Payment, error: Exception) -> ServiceError:
        if isinstance(error, GatewayDeclined):
            _settle(payment, status=PaymentStatus.DECLINED, decline_reason=error.reason)
            return PaymentDeclined(details={"reason": error.reason, "payment_id": payment.pk})
        if isinstance(error, GatewayUnavailable):
            _settle(payment, status=PaymentStatus.FAILED)
            return PaymentProviderUnavailable()
        raise error  # the payment stays processing: payment_settle_stale asks the gateway

    return call_outside(record=record, call=charge, settle=settle, on_error=failed)


@service(role=SYSTEM, errors=[PaymentNotFound, PaymentProviderUnavailable], outside=True)
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
        if updated:
            events.record(
                f"{payment.payable_kind}.refunded",
                subject=payment.payable_kind,
                subject_id=payment.payable_id,
                owner=payment.owner_id,
                payload={
                    "payment_id": payment.pk,
                    "amount": payment.amount,
                    "currency": payment.currency,
                },
            )
    payment.refresh_from_db()
    assert updated or payment.status == PaymentStatus.REFUNDED
    return _out(payment)


@service(role=SYSTEM, outside=True)
def payment_retry_refunds() -> RefundsRetried:
    """Retry every refund still pending (a periodic job; also callable by hand)."""
    refunded, pending = [], []
    for payment_id in Payment.objects.filter(status=PaymentStatus.REFUND_PENDING).values_list(
        "id", flat=True
    ):
        try:
            payment_refund(data=PaymentRef(payment_id=payment_id))
            refunded.append(payment_id)
        except PaymentProviderUnavailable:
            pending.append(payment_id)
    return RefundsRetried(refunded=refunded, still_pending=pending)


@service(role=SYSTEM, outside=True)
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
            continue
        with transaction.atomic():
            recorded = _record_charge(payment, charge)
        if recorded:
            paid = payment.status == PaymentStatus.SUCCEEDED
            (result.succeeded if paid else result.refunded).append(payment.pk)
    return result
