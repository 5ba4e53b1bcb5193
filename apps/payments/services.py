"""Paying for payables (orders, hotel stays) and refunding them, whole or in part.

Payments is the lower layer: it knows what it charges by reference (a payable kind and an id)
and reaches the payable only through the callbacks its kind registered (payables.py).

The gateway is never called inside a transaction that holds a lock. Paying is three steps:
(1) lock the payable, check it may be paid, record a `processing` payment, commit; (2) call
the gateway with the payment's own reference, outside any transaction; (3) record the outcome
and mark the payable paid. A processing payment blocks a second payment, a cancellation and
the expiry of its payable, so the charged amount is the payable's and stays it.

A worker that dies between (1) and (3), or a gateway whose answer is lost (a timeout, a 500),
leaves its payment processing: payment_settle_stale asks the gateway for the charge by that
reference and settles it. A payment that needs the customer's action (3-D Secure) waits as
`requires_action` until the provider's webhook (payment_settle_provider_event) says how it
ended; so do refunds the provider finishes later. Every change of a payment's
status is a conditional update (from the status it was seen in), and recording a charge locks
the payable first, then the payment, so the worker and the job settle a payment once.

Refunds follow the same rule: recorded in the caller's transaction (the payable locked, then
the payment: a whole refund marks the payment `refund_pending`, a partial one reserves its
amount with a conditional update and records a Refund row), sent to the gateway by a task
once that commits, each with its own reference, so a retried refund is the same refund.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.payments.dto import (
    BookingPaymentOut,
    NewBookingPayment,
    NewPayment,
    PaymentOut,
    PaymentRef,
    ProviderEventIn,
    ProviderEventOut,
    RefundOut,
    RefundRef,
    RefundsRetried,
    StalePaymentsSettled,
)
from apps.payments.errors import (
    CardTokenInvalid,
    OrderNotPayable,
    PaymentAmountTooSmall,
    PaymentDeclined,
    PaymentInProgress,
    PaymentNotFound,
    PaymentProviderUnavailable,
    RefundExceedsCaptured,
    RefundNotFound,
    not_found_error,
    not_payable_error,
    not_ready_error,
)
from apps.payments.gateways import (
    AMOUNT_TOO_SMALL,
    REQUIRES_ACTION,
    Charge,
    GatewayDeclined,
    GatewayOutcomeUnknown,
    GatewayRefused,
    GatewayUnavailable,
    get_gateway,
)
from apps.payments.models import (
    IN_FLIGHT_STATUSES,
    Payment,
    PaymentStatus,
    ProviderEvent,
    Refund,
    RefundStatus,
)
from apps.payments.payables import BOOKING, ORDER, Payable, payable_kind
from apps.roles import SHOPPER, SYSTEM, TRAVELLER
from servicelayer import events
from servicelayer.errors import ServiceError
from servicelayer.outside import call_outside
from servicelayer.registry import service
from servicelayer.tasks import enqueue


def _fields(payment: Payment) -> dict[str, Any]:
    """A payment's output fields but its payable's id (the selectors read the same as rows)."""
    return {
        "id": payment.pk,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "decline_reason": payment.decline_reason,
        "gateway_reference": payment.gateway_reference,
        "client_secret": payment.client_secret,
        "amount_refunded": payment.amount_refunded,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def _out(payment: Payment) -> PaymentOut:
    """The output of an order's payment (payments_of_order reads the same fields as rows)."""
    return PaymentOut(order_id=payment.payable_id, **_fields(payment))


def _booking_payment_out(payment: Payment) -> BookingPaymentOut:
    return BookingPaymentOut(booking_id=payment.payable_id, **_fields(payment))


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
    # a given-up or declined payment may still be charged later (a 3-D Secure confirmed after
    # its failure was reported, events out of order): the money came, so it pays or is refunded
    if payment.status not in (*IN_FLIGHT_STATUSES, PaymentStatus.FAILED, PaymentStatus.DECLINED):
        return False
    pays = payable.may_pay and (
        payment.status in IN_FLIGHT_STATUSES or not Payment.objects.in_progress(kind, payable_id)
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
        client_secret="",
    )
    if not pays:
        enqueue(payment_refund, data=PaymentRef(payment_id=payment.pk))
    return True


def _await_action(payment: Payment, charge: Charge) -> bool:
    """The customer must authenticate the charge: the payment waits, still live, for the
    provider's webhook; False if it was settled meanwhile."""
    return _settle(
        payment,
        status=PaymentStatus.REQUIRES_ACTION,
        gateway_reference=charge.id,
        client_secret=charge.client_secret,
    )


def _give_up(payment: Payment, reason: str = "abandoned") -> bool:
    """Fail a stale payment the gateway has no charge for, which frees its payable; False if
    it was settled meanwhile. A charge that still comes back is handled by _record_charge."""
    with transaction.atomic():
        # the payable first, as everywhere
        _lock_payable(payment.payable_kind, payment.payable_id, owner=payment.owner_id)
        return _settle(
            payment, was=payment.status, status=PaymentStatus.FAILED, decline_reason=reason
        )


def payment_in_progress(kind: str, payable_id: int) -> bool:
    """Whether a payment of this payable is being processed (call with the payable locked)."""
    return Payment.objects.in_progress(kind, payable_id)


def refund_payable(kind: str, payable_id: int) -> None:
    """Within the caller's transaction (the payable locked): mark the payable's successful
    payment for refund, and refund it through the gateway once that transaction commits
    (what it charged, less what partial refunds gave back)."""
    payment_ids = list(
        Payment.objects.select_for_update()
        .of(kind, payable_id)
        .filter(status=PaymentStatus.SUCCEEDED, amount_refunded__lt=F("amount"))
        .values_list("id", flat=True)
    )
    Payment.objects.filter(pk__in=payment_ids).update(status=PaymentStatus.REFUND_PENDING)
    for payment_id in payment_ids:
        enqueue(payment_refund, data=PaymentRef(payment_id=payment_id))


def _pay(actor: User, kind: str, payable_id: int, token: str, *, what: str) -> Payment:
    """Pay payable `kind` `payable_id` with a card token: the three steps of the module
    docstring, through call_outside. `what` names the payable in messages ("order")."""

    def record() -> Payment:
        payable = _lock_payable(kind, payable_id, owner=actor)
        if not payable.may_pay:
            raise not_payable_error(kind)(details={"status": payable.status})
        if payable.missing:
            missing = " and ".join(name.replace("_", " ") for name in payable.missing)
            raise not_ready_error(kind)(
                f"Set the {what}'s {missing} before paying.",
                details={"missing": list(payable.missing)},
            )
        if payable.amount <= 0:
            # nothing to charge, and no provider charges nothing: refused before it is asked
            raise PaymentAmountTooSmall(details={"amount": str(payable.amount)})
        if Payment.objects.in_progress(kind, payable_id):
            raise PaymentInProgress(f"A payment for this {what} is being processed; try again.")
        return Payment.objects.create(
            payable_kind=kind,
            payable_id=payable_id,
            owner=actor,
            amount=payable.amount,
            currency=payable.currency,
        )

    def charge(payment: Payment) -> Charge:
        return get_gateway().charge(
            amount=payment.amount,
            currency=payment.currency,
            token=token,
            reference=payment.charge_reference,
        )

    def settle(payment: Payment, charge: Charge) -> Payment | ServiceError:
        if charge.status == REQUIRES_ACTION:
            _await_action(payment, charge)
            payment.refresh_from_db()
            return payment
        _record_charge(payment, charge)
        if payment.status != PaymentStatus.SUCCEEDED:
            return PaymentProviderUnavailable(
                "The payment provider answered too late: the payment had been given up and its "
                "charge is refunded. Try again.",
                details={"payment_id": payment.pk},
            )
        return payment

    def failed(payment: Payment, error: Exception) -> Payment | ServiceError:
        if isinstance(error, GatewayDeclined):
            _settle(payment, status=PaymentStatus.DECLINED, decline_reason=error.reason)
            return PaymentDeclined(
                f"The card was declined; the {what} still awaits payment.",
                details={"reason": error.reason, "payment_id": payment.pk},
            )
        if isinstance(error, GatewayRefused):
            _settle(payment, status=PaymentStatus.FAILED, decline_reason=error.reason)
            if error.reason == AMOUNT_TOO_SMALL:
                return PaymentAmountTooSmall(
                    details={"amount": str(payment.amount), "payment_id": payment.pk}
                )
            return CardTokenInvalid(details={"reason": error.reason, "payment_id": payment.pk})
        if isinstance(error, GatewayOutcomeUnknown):
            # maybe charged: only the provider can tell, and payment_settle_stale asks it
            return payment
        if isinstance(error, GatewayUnavailable):
            _settle(payment, status=PaymentStatus.FAILED)
            return PaymentProviderUnavailable()
        raise error  # the payment stays processing: payment_settle_stale asks the gateway

    return call_outside(record=record, call=charge, settle=settle, on_error=failed)


@service(
    role=SHOPPER,
    errors=[
        not_found_error(ORDER),
        OrderNotPayable,
        not_ready_error(ORDER),
        PaymentAmountTooSmall,
        PaymentInProgress,
        PaymentDeclined,
        CardTokenInvalid,
        PaymentProviderUnavailable,
    ],
    outside=True,
)
def payment_pay(*, actor: User, data: NewPayment) -> PaymentOut:
    """Pay for your order awaiting payment with a card token: the order's total is charged.

    Declined: 402 with the reason, and the order can be paid again; a card token the provider
    does not know: 400 `card_token_invalid`. The card needs the customer to authenticate
    (3-D Secure): 202 with status `requires_action` and the `client_secret` for Stripe.js; the
    provider's webhook settles it. The provider's answer lost (a timeout): 202 with status
    `processing`, settled within minutes by asking the provider. Provider down: 503 and
    nothing is charged (also when it answers only after the payment was given up as stale:
    that charge is refunded). An order already paid, canceled or expired: 409. An order of
    goods that ship without a shipping address or method: 409 `order_not_ready`, whose
    `details.missing` names them (`shipping_address`, `shipping_method`). A total of zero, or
    below what the provider charges: 422 `payment_amount_too_small`, nothing charged."""
    return _out(_pay(actor, ORDER, data.order_id, data.card_token, what="order"))


@service(
    role=TRAVELLER,
    errors=[
        not_found_error(BOOKING),
        not_payable_error(BOOKING),
        PaymentAmountTooSmall,
        PaymentInProgress,
        PaymentDeclined,
        CardTokenInvalid,
        PaymentProviderUnavailable,
    ],
    outside=True,
)
def payment_pay_booking(*, actor: User, data: NewBookingPayment) -> BookingPaymentOut:
    """Pay for your booking awaiting payment with a card token: the total it was quoted at is
    charged; once paid, the stay is booked at the hotel's supplier (the booking moves to
    `pending`, then `confirmed`; refused by the supplier: `failed` and the charge refunded).

    As paying for an order: declined 402, unknown token 400, `requires_action` or
    `processing` 202, provider down 503 with nothing charged; a booking no longer awaiting
    payment (paid, canceled, expired): 409 `booking_not_payable`."""
    payment = _pay(actor, BOOKING, data.booking_id, data.card_token, what="booking")
    return _booking_payment_out(payment)


@service(role=SYSTEM, errors=[PaymentNotFound, PaymentProviderUnavailable], outside=True)
def payment_refund(*, data: PaymentRef) -> PaymentOut:
    """Refund the whole of a payment whose payable was canceled (runs as a task after the
    cancellation): what was charged, less what partial refunds gave back already.

    The refund carries the payment's own reference, so running it twice refunds once."""
    payment = Payment.objects.filter(pk=data.payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    if payment.status != PaymentStatus.REFUND_PENDING:
        return _out(payment)
    try:
        refund = get_gateway().refund(
            charge_id=payment.gateway_reference,
            amount=payment.amount - payment.amount_refunded,
            reference=payment.refund_request_reference,
        )
    except (GatewayUnavailable, GatewayOutcomeUnknown):
        raise PaymentProviderUnavailable("The refund will be retried.") from None
    if refund.pending:
        # the provider finishes it later and says so by webhook; a retry asks again, by the
        # same reference, so it is the same refund
        Payment.objects.filter(pk=payment.pk).update(refund_reference=refund.id)
        payment.refresh_from_db()
        return _out(payment)
    with transaction.atomic():
        updated = _record_refund(payment, refund.id)
    payment.refresh_from_db()
    assert updated or payment.status == PaymentStatus.REFUNDED
    return _out(payment)


def refund_payable_part(kind: str, payable_id: int, amount: Decimal, *, key: str) -> Decimal:
    """Within the caller's transaction (the payable locked): refund `amount` of the payable's
    successful payment, and send that refund through the gateway once the transaction
    commits; the amount given back (0 if the payable has no successful payment: nothing
    was charged).

    `key` names this refund among the payment's (a booking's cancellation: "cancel"): the
    same key again is the same refund, never a second one. The amount is reserved on the
    payment by one conditional update (`amount_refunded + amount <= amount`), so concurrent
    refunds never give back more than was charged: RefundExceedsCaptured otherwise."""
    payments = Payment.objects.select_for_update().of(kind, payable_id)
    payment = payments.filter(status=PaymentStatus.SUCCEEDED).first()
    if payment is None:
        refunded = (PaymentStatus.REFUND_PENDING, PaymentStatus.REFUNDED)
        if payments.filter(status__in=refunded).exists():  # refunded whole, or being so
            raise RefundExceedsCaptured(details={"amount": str(amount), "refundable": "0.00"})
        return Decimal("0.00")
    existing = Refund.objects.filter(payment=payment, key=key).first()
    if existing is not None:
        return existing.amount
    reserved = Payment.objects.filter(
        pk=payment.pk,
        status=PaymentStatus.SUCCEEDED,
        amount_refunded__lte=F("amount") - amount,
    ).update(amount_refunded=F("amount_refunded") + amount, updated_at=timezone.now())
    if not reserved:
        raise RefundExceedsCaptured(
            details={
                "amount": str(amount),
                "refundable": str(payment.amount - payment.amount_refunded),
            }
        )
    refund = Refund.objects.create(payment=payment, key=key, amount=amount)
    enqueue(payment_refund_send, data=RefundRef(refund_id=refund.pk))
    return amount


@service(role=SYSTEM, errors=[RefundNotFound, PaymentProviderUnavailable], outside=True)
def payment_refund_send(*, data: RefundRef) -> RefundOut:
    """Send a partial refund to the payment provider (runs as a task once the refund is
    recorded; retried by payment_retry_refunds while the provider is down).

    The refund carries its own reference, so sending it twice refunds once."""
    refund = Refund.objects.select_related("payment").filter(pk=data.refund_id).first()
    if refund is None:
        raise RefundNotFound()
    if refund.status == RefundStatus.PENDING:
        try:
            sent = get_gateway().refund(
                charge_id=refund.payment.gateway_reference,
                amount=refund.amount,
                reference=refund.reference,
            )
        except (GatewayUnavailable, GatewayOutcomeUnknown):
            raise PaymentProviderUnavailable("The refund will be retried.") from None
        if sent.pending:  # the provider's webhook finishes it
            Refund.objects.filter(pk=refund.pk).update(provider_reference=sent.id)
        else:
            with transaction.atomic():
                _record_part_refund(refund, sent.id)
        refund.refresh_from_db()
    return _refund_out(refund)


def _record_part_refund(refund: Refund, provider_reference: str) -> bool:
    """Record that the provider made a partial refund, with its event; False if done already.
    Call it in a transaction."""
    updated = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED,
        provider_reference=provider_reference,
        updated_at=timezone.now(),
    )
    if updated:
        payment = refund.payment
        events.record(
            f"{payment.payable_kind}.refunded",
            subject=payment.payable_kind,
            subject_id=payment.payable_id,
            owner=payment.owner_id,
            payload={
                "payment_id": payment.pk,
                "refund_id": refund.pk,
                "amount": refund.amount,
                "currency": payment.currency,
            },
        )
    return bool(updated)


def _refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.pk,
        payment_id=refund.payment_id,
        amount=refund.amount,
        status=refund.status,
        provider_reference=refund.provider_reference,
    )


def _record_refund(payment: Payment, refund_id: str) -> bool:
    """Record that the provider refunded `payment`, with its event; False if done already.
    Call it in a transaction."""
    updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.REFUND_PENDING).update(
        status=PaymentStatus.REFUNDED,
        refund_reference=refund_id,
        amount_refunded=F("amount"),
        updated_at=timezone.now(),
    )
    if updated:
        events.record(
            f"{payment.payable_kind}.refunded",
            subject=payment.payable_kind,
            subject_id=payment.payable_id,
            owner=payment.owner_id,
            payload={
                "payment_id": payment.pk,
                "amount": payment.amount - payment.amount_refunded,
                "currency": payment.currency,
            },
        )
    return bool(updated)


@service(role=SYSTEM, outside=True)
def payment_retry_refunds() -> RefundsRetried:
    """Retry every refund still pending, whole and partial (a periodic job; also callable by
    hand). Lists payment ids; a partial refund is listed by its payment's."""
    refunded, pending = [], []
    for payment_id in Payment.objects.filter(status=PaymentStatus.REFUND_PENDING).values_list(
        "id", flat=True
    ):
        try:
            payment_refund(data=PaymentRef(payment_id=payment_id))
            refunded.append(payment_id)
        except PaymentProviderUnavailable:
            pending.append(payment_id)
    parts = Refund.objects.filter(status=RefundStatus.PENDING)
    for refund_id, payment_id in parts.order_by("id").values_list("id", "payment_id"):
        try:
            payment_refund_send(data=RefundRef(refund_id=refund_id))
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
    the charge is refunded). Awaiting the customer's authentication: `requires_action`, for the
    provider's webhook, or, still so after PAYMENT_ACTION_TIMEOUT_SECONDS (default 3600), failed
    as `authentication_abandoned`. Not charged: the payment fails as `abandoned`, and the order
    may be paid, changed, canceled or expire again. Provider unavailable: left for the next
    run. Concurrent runs, and a worker that comes back late, settle a payment once."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.PAYMENT_SETTLE_AFTER_SECONDS)
    action_cutoff = now - timedelta(seconds=settings.PAYMENT_ACTION_TIMEOUT_SECONDS)
    gateway = get_gateway()
    result = StalePaymentsSettled(succeeded=[], refunded=[], failed=[], unresolved=[])
    stale = Payment.objects.filter(
        Q(status=PaymentStatus.PROCESSING, created_at__lt=cutoff)
        | Q(status=PaymentStatus.REQUIRES_ACTION, created_at__lt=action_cutoff)
    )
    for payment in stale.order_by("id"):
        try:
            charge = gateway.find_charge(payment.charge_reference)
        except (GatewayUnavailable, GatewayOutcomeUnknown):
            result.unresolved.append(payment.pk)
            continue
        if charge is not None and charge.status == REQUIRES_ACTION:
            if payment.status == PaymentStatus.REQUIRES_ACTION:
                # never authenticated within PAYMENT_ACTION_TIMEOUT_SECONDS: the order is
                # freed; if the customer still authenticates, that late charge pays it or is
                # refunded (_record_charge)
                if _give_up(payment, reason="authentication_abandoned"):
                    result.failed.append(payment.pk)
                continue
            # the customer is still to authenticate: the provider's webhook settles it
            _await_action(payment, charge)
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


def _payment_of_event(data: ProviderEventIn) -> Payment | None:
    """The payment an event is about: by our reference (its metadata), else by the provider's
    ids (a refund's event names the charge or the refund)."""
    prefix = "agora-payment-"
    if data.reference.startswith(prefix) and data.reference[len(prefix) :].isdigit():
        return Payment.objects.filter(pk=int(data.reference[len(prefix) :])).first()
    if data.refund_id:
        found = Payment.objects.filter(refund_reference=data.refund_id).first()
        if found is not None:
            return found
    if data.charge_id:
        return Payment.objects.filter(gateway_reference=data.charge_id).first()
    return None


@service(role=SYSTEM, atomic=True)
def payment_settle_provider_event(*, data: ProviderEventIn) -> ProviderEventOut:
    """Settle what the payment provider's webhook event says finished (once per event id):
    `payment_intent.succeeded` pays the payable, `payment_intent.payment_failed` declines
    the payment, `charge.refunded` and `refund.updated` (succeeded) record the refund. Other
    events, and one seen before, change nothing."""
    _, created = ProviderEvent.objects.get_or_create(
        event_id=data.event_id, defaults={"type": data.type}
    )
    part = (
        Refund.objects.select_related("payment").filter(provider_reference=data.refund_id).first()
        if created and data.refund_id and data.type in ("charge.refunded", "refund.updated")
        else None
    )
    if part is not None:  # a partial refund the provider finished later
        handled = data.refund_status in ("", "succeeded") and _record_part_refund(
            part, data.refund_id
        )
        return ProviderEventOut(event_id=data.event_id, handled=handled, payment_id=part.payment_id)
    payment = _payment_of_event(data) if created else None
    if payment is None:
        return ProviderEventOut(event_id=data.event_id, handled=False, payment_id=None)
    handled = False
    if data.type == "payment_intent.succeeded":
        charge = Charge(data.charge_id, payment.amount, payment.currency, data.reference)
        handled = _record_charge(payment, charge)
    elif data.type == "payment_intent.payment_failed" and payment.status in IN_FLIGHT_STATUSES:
        # the payable first, as everywhere
        _lock_payable(payment.payable_kind, payment.payable_id, owner=payment.owner_id)
        handled = _settle(
            payment,
            was=payment.status,
            status=PaymentStatus.DECLINED,
            decline_reason=data.decline_reason or "card_declined",
            client_secret="",
        )
    elif data.type in ("charge.refunded", "refund.updated") and data.refund_status in (
        "",
        "succeeded",
    ):
        handled = _record_refund(payment, data.refund_id or payment.refund_reference)
    return ProviderEventOut(event_id=data.event_id, handled=handled, payment_id=payment.pk)
