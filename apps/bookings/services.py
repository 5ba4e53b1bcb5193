"""The travel desk's application services: hotels for merchants, bookings for travellers.

A stay is paid before it is booked (docs/architecture.md, "Paying for a stay"): booking_book
checks the quote with the supplier and records the booking `awaiting_payment` at that price
and policy; payments charges it as a payable of kind `booking` (BOOKING_PAYABLE, registered in
apps.py: the booking row is locked first, then the payment) and, in the transaction that
records the charge, marks it `pending` and enqueues booking_place on commit.

Booking at the supplier records its intent before it calls: that paid `pending` row with our
own client reference is committed first, so a crash between the two leaves a row that
reconciliation resolves by that reference, never a booking nobody knows about. The supplier
is never called inside a transaction. A refusal fails the booking and refunds the charge in
the same transaction (sent on commit); an outcome that is unknown (`pending_confirmation`)
refunds nothing until reconciliation has asked the supplier, and blocks booking the same stay
again under a new client reference. A failed attempt stays as `failed`, for audit (the
traveller sees it only if they paid for it); if the supplier turns out to hold it after all,
reconciliation cancels it there. Canceling records its intent and fee before the supplier is
asked, and refunds what the policy leaves in the transaction that records the cancellation.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.bookings.availability import supplier_offers
from apps.bookings.dto import (
    BookingOut,
    BookingRef,
    ExpiredBookings,
    HotelChanges,
    HotelOut,
    HotelRef,
    NewBooking,
    NewHotel,
    Reconciled,
)
from apps.bookings.errors import (
    BookingNotCancelable,
    BookingNotFound,
    BookingRefused,
    HotelExists,
    HotelNotFound,
    InvalidStay,
    RateChanged,
    StayAwaitingPayment,
    StayStarted,
    SupplierUnavailable,
)
from apps.bookings.gateways import (
    AvailabilityRequest,
    BookingRequest,
    SupplierBooking,
    SupplierDown,
    SupplierGateway,
    SupplierOutcomeUnknown,
    SupplierPriceChanged,
    SupplierRefused,
    SupplierUnreachable,
    supplier_for,
)
from apps.bookings.models import (
    HOTEL_UNIQUE_SUPPLIER_ID,
    ONE_UNRESOLVED_PER_STAY,
    OPEN,
    UNRESOLVED,
    BookingStatus,
    Hotel,
    HotelBooking,
    violates,
)
from apps.bookings.pricing import RoomOffer
from apps.bookings.selectors import booking_get, bookings_of, hotel_get
from apps.payments.interface import (
    BOOKING,
    Payable,
    PayableKind,
    PaymentInProgress,
    payment_in_progress,
    refund_payable,
    refund_payable_part,
)
from apps.roles import MERCHANT, SYSTEM, TRAVELLER
from servicelayer import events
from servicelayer.errors import Conflict, ServiceError
from servicelayer.registry import service
from servicelayer.tasks import enqueue


class StayBeingConfirmed(Conflict):
    code = "booking_unresolved"
    transient = True  # reconciliation settles the first attempt soon: a retry may then book
    default_message = (
        "A booking of this stay is still being confirmed with the supplier; "
        "it is not booked twice. Look at your bookings in a moment."
    )


# --- hotels -------------------------------------------------------------------------------


def _hotel_out(hotel_id: int, actor: User) -> HotelOut:
    return HotelOut.model_validate(hotel_get(actor=actor, hotel_id=hotel_id))


@service(role=MERCHANT, errors=[HotelExists], atomic=True)
def hotel_create(*, actor: User, data: NewHotel) -> HotelOut:
    """Add a hotel that travellers may book, under the supplier's id for it."""
    # the unique constraint decides, not a look-up first: two merchants adding the same hotel
    # at once both pass a look-up, and one of them must be told 409, not 500
    try:
        with transaction.atomic():
            hotel = Hotel.objects.create(**data.model_dump())
    except IntegrityError as error:
        if violates(error, Hotel, HOTEL_UNIQUE_SUPPLIER_ID):
            raise HotelExists(details={"supplier_hotel_id": data.supplier_hotel_id}) from None
        raise
    return _hotel_out(hotel.pk, actor)


@service(role=MERCHANT, errors=[HotelNotFound], atomic=True)
def hotel_update(*, actor: User, data: HotelChanges) -> HotelOut:
    """Rename a hotel or change its city."""
    changes = data.model_dump(include=data.model_fields_set - {"hotel_id"})
    if not Hotel.objects.filter(pk=data.hotel_id).update(**changes, updated_at=timezone.now()):
        raise HotelNotFound()
    return _hotel_out(data.hotel_id, actor)


def _set_active(actor: User, hotel_id: int, active: bool) -> HotelOut:
    if not Hotel.objects.filter(pk=hotel_id).update(is_active=active, updated_at=timezone.now()):
        raise HotelNotFound()
    return _hotel_out(hotel_id, actor)


@service(role=MERCHANT, errors=[HotelNotFound], atomic=True)
def hotel_archive(*, actor: User, data: HotelRef) -> HotelOut:
    """Stop taking bookings for a hotel; its bookings stay as they are."""
    return _set_active(actor, data.hotel_id, False)


@service(role=MERCHANT, errors=[HotelNotFound], atomic=True)
def hotel_restore(*, actor: User, data: HotelRef) -> HotelOut:
    """Take bookings for an archived hotel again."""
    return _set_active(actor, data.hotel_id, True)


# --- bookings -----------------------------------------------------------------------------


def _booking_out(actor: User | None, booking: HotelBooking) -> BookingOut:
    viewer = actor if actor is not None else booking.traveller
    return BookingOut.model_validate(booking_get(actor=viewer, booking_id=booking.pk))


def _record(booking_id: int, traveller_id: int, status: str, payload: dict[str, str]) -> None:
    events.record(
        f"booking.{status}",
        subject="booking",
        subject_id=booking_id,
        owner=traveller_id,
        payload=payload,
    )


def _terms(found: SupplierBooking) -> dict[str, Any]:
    """The columns the supplier's booking says something about: its currency and policy (the
    total is the one quoted, which the supplier checked). A booking whose answer carries no
    readable policy keeps the one it was quoted with."""
    terms: dict[str, Any] = {}
    if found.currency:
        terms["currency"] = found.currency
    if found.policy is not None:
        terms["cancellation_policy"] = found.policy.as_json()
    return terms


def _confirm(booking: HotelBooking, found: SupplierBooking, now: datetime) -> bool:
    """The supplier holds it: `confirmed`, with its event, if still unresolved (one
    conditional update: concurrent settlements confirm once). Call it in a transaction."""
    if not HotelBooking.objects.filter(pk=booking.pk, status__in=UNRESOLVED).update(
        status=BookingStatus.CONFIRMED,
        supplier_reference=found.reference,
        updated_at=now,
        **_terms(found),
    ):
        return False
    _record(
        booking.pk,
        booking.traveller_id,
        BookingStatus.CONFIRMED,
        {"supplier_reference": found.reference},
    )
    return True


def _fail(booking: HotelBooking, reason: str, now: datetime) -> bool:
    """Nothing is booked at the supplier: `failed`, with its event, and its payment refunded
    whole (through payments, once this commits), if still unresolved. Call it in a
    transaction: the conditional update locks the booking row first, then payments the
    payment."""
    if not HotelBooking.objects.filter(pk=booking.pk, status__in=UNRESOLVED).update(
        status=BookingStatus.FAILED, failure_reason=reason, updated_at=now
    ):
        return False
    _record(booking.pk, booking.traveller_id, BookingStatus.FAILED, {"failure_reason": reason})
    refund_payable(BOOKING, booking.pk)  # nothing if it was never paid (rows from before)
    return True


def _refund_cancellation(booking: HotelBooking, fee: Decimal) -> Decimal:
    """Give back what a cancellation leaves of the payment: all of it when free, else what
    was paid minus the fee (a partial refund, keyed "cancel": once per booking). Call it in
    the cancellation's transaction, the booking row locked. The amount refunded."""
    if fee == 0:
        refund_payable(BOOKING, booking.pk)
        return booking.total_price
    due = booking.total_price - fee
    return refund_payable_part(BOOKING, booking.pk, due, key="cancel") if due > 0 else due


def _find_offer(hotel: Hotel, data: NewBooking) -> RoomOffer | None:
    """The supplier's offer for this room type and stay, asked now (never a cached quote)."""
    request = AvailabilityRequest(
        supplier_hotel_id=hotel.supplier_hotel_id,
        start_date=data.start_date,
        end_date=data.end_date,
        guests=data.guests,
    )
    try:
        offers = supplier_offers(hotel, request, fresh=True)
    except SupplierDown:
        raise SupplierUnavailable() from None
    return next((offer for offer in offers if offer.room_type == data.room_type), None)


@service(
    role=TRAVELLER,
    errors=[
        HotelNotFound,
        InvalidStay,
        StayBeingConfirmed,
        StayAwaitingPayment,
        RateChanged,
        BookingRefused,
        SupplierUnavailable,
    ],
    outside=True,
)
def booking_book(*, actor: User, data: NewBooking) -> BookingOut:
    """Book a room type for some guests (at most 30 nights, starting today or later) at the
    total that availability quoted (`quoted_total`): the booking is `awaiting_payment`, with
    the price and cancellation policy it was quoted at. Pay it within
    AGORA_BOOKING_PAYMENT_MINUTES (`POST /api/bookings/{id}/payments/`) or it expires; once
    paid it is booked at the supplier.

    The supplier is asked for the offer now: its price is no longer the quoted one: 409
    `rate_changed` with `details.new_total`, nothing recorded. No such room for these dates
    and guests (full): 409 `booking_refused`. Supplier down: 503. An unpaid booking of the
    same stay: 409 `booking_awaiting_payment` (pay or cancel it); one still being confirmed:
    409 `booking_unresolved`. A stay of total zero needs no payment: it goes to the supplier
    at once (`pending`)."""
    if data.start_date < timezone.now().date():
        raise InvalidStay(fields={"start_date": ["A stay cannot start in the past."]})
    hotel = Hotel.objects.filter(pk=data.hotel_id, is_active=True).first()
    if hotel is None:
        raise HotelNotFound()
    offer = _find_offer(hotel, data)
    if offer is None:
        raise BookingRefused(
            "The hotel has no such room for these dates and guests.",
            details={"reason": "no_availability"},
        )
    if offer.total != data.quoted_total:
        raise RateChanged(
            details={"new_total": str(offer.total), "quoted_total": str(data.quoted_total)}
        )
    free = offer.total == 0
    try:
        with transaction.atomic():
            booking = HotelBooking.objects.create(
                hotel=hotel,
                traveller=actor,
                start_date=data.start_date,
                end_date=data.end_date,
                special_wishes=data.special_wishes,
                room_type=data.room_type,
                guests=data.guests,
                total_price=data.quoted_total,
                currency=offer.currency,
                # the policy quoted: it stands unless the supplier's booking says otherwise
                cancellation_policy=offer.policy.as_json(),
                status=BookingStatus.PENDING if free else BookingStatus.AWAITING_PAYMENT,
                paid_at=timezone.now() if free else None,
            )
            if free:  # nothing to pay: booked at the supplier once this commits
                enqueue(booking_place, data=BookingRef(booking_id=booking.pk))
    except IntegrityError as error:
        if violates(error, HotelBooking, ONE_UNRESOLVED_PER_STAY):
            raise _open_stay_error(actor, data) from None
        raise
    return _booking_out(actor, booking)


def _open_stay_error(actor: User, data: NewBooking) -> ServiceError:
    """What stands in the way of booking this stay again: an unpaid booking of it, or one
    still being settled with the supplier."""
    holder = HotelBooking.objects.filter(
        traveller=actor,
        hotel_id=data.hotel_id,
        start_date=data.start_date,
        end_date=data.end_date,
        status__in=OPEN,
    ).first()
    if holder is not None and holder.status == BookingStatus.AWAITING_PAYMENT:
        return StayAwaitingPayment(details={"booking_id": holder.pk})
    return StayBeingConfirmed()


@service(role=SYSTEM, errors=[BookingNotFound], outside=True)
def booking_place(*, data: BookingRef) -> BookingOut:
    """Book a paid stay at the hotel's supplier (a task, enqueued when its payment is
    recorded; running it again changes nothing once it is settled).

    The paid `pending` row with its client reference was committed with the payment: the
    intent is recorded before the supplier is called, outside any transaction, and the
    supplier treats a repeated client reference as the same booking. Confirmed: `confirmed`.
    Refused (full, the price changed since the quote) or never reached: `failed`, and the
    charge is refunded whole. A 5xx or no readable answer: the outcome is unknown, so nothing
    is refunded: `pending_confirmation`, which booking_reconcile settles by client reference
    (found: confirmed; not found after the grace: failed and refunded)."""
    booking = HotelBooking.objects.select_related("hotel").filter(pk=data.booking_id).first()
    if booking is None:
        raise BookingNotFound()
    if booking.status != BookingStatus.PENDING:
        return _booking_out(None, booking)
    request = BookingRequest(
        client_reference=str(booking.client_reference),
        supplier_hotel_id=booking.hotel.supplier_hotel_id,
        start_date=booking.start_date,
        days=booking.nights,
        guest_wish=booking.special_wishes,
        room_type=booking.room_type,
        guests=booking.guests,
        expected_total=booking.total_price,
    )
    try:
        found = supplier_for(booking.hotel).book(request)
    except SupplierRefused as error:  # a price change too: booked at no other price
        reason = "rate_changed" if isinstance(error, SupplierPriceChanged) else error.code
        with transaction.atomic():
            _fail(booking, reason, timezone.now())
    except SupplierUnreachable:  # the request never left: nothing is booked
        with transaction.atomic():
            _fail(booking, "supplier_unreachable", timezone.now())
    except (SupplierDown, SupplierOutcomeUnknown):  # it may have booked: ask, never refund yet
        HotelBooking.objects.filter(pk=booking.pk, status=BookingStatus.PENDING).update(
            status=BookingStatus.PENDING_CONFIRMATION, updated_at=timezone.now()
        )
    else:
        with transaction.atomic():
            _confirm(booking, found, timezone.now())
    booking.refresh_from_db()
    return _booking_out(None, booking)


@service(
    role=TRAVELLER,
    errors=[
        BookingNotFound,
        BookingNotCancelable,
        StayStarted,
        PaymentInProgress,
        SupplierUnavailable,
    ],
    outside=True,
)
def booking_cancel(*, actor: User, data: BookingRef) -> BookingOut:
    """Cancel a booking under its cancellation policy, at the supplier first; merchants may
    cancel any booking.

    A confirmed stay is free to cancel until the policy's deadline (N days before arrival):
    the payment is refunded whole; later, for its fee: what was paid minus the fee is
    refunded (`cancellation_fee`, `refund_due`). On or after the start date: 409
    `stay_started`. A booking not paid yet is canceled at once, nothing to refund (409
    `payment_in_progress` while its payment is being processed). Supplier down: 503 and the
    booking stands; the intent and fee are kept, so a cancel that reached the supplier after
    all is settled as yours (with that fee) by reconciliation, and canceling again finishes
    it."""
    booking = bookings_of(actor).filter(pk=data.booking_id).first()
    if booking is None:
        raise BookingNotFound()
    if booking.status in (BookingStatus.CANCELED, BookingStatus.CANCELED_BY_SUPPLIER):
        return _booking_out(actor, booking)  # canceling twice changes nothing
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        _cancel_unpaid(booking)
        booking.refresh_from_db()
        if booking.status == BookingStatus.CANCELED:
            return _booking_out(actor, booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingNotCancelable(details={"status": booking.status})
    today = timezone.now().date()
    if today >= booking.start_date:
        raise StayStarted(details={"start_date": booking.start_date.isoformat()})
    # 1. the intent and its fee, committed before the supplier is asked (a retry keeps the
    # fee first recorded); touching the row also keeps reconciliation's watch off it
    fee = booking.policy.fee(booking.total_price, start=booking.start_date, today=today)
    now = timezone.now()
    with transaction.atomic():
        intent = HotelBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED)
        intent.filter(cancel_requested_at__isnull=True).update(
            cancel_requested_at=now, cancellation_fee=fee, updated_at=now
        )
        intent.update(updated_at=now)
    booking.refresh_from_db()
    # 2. the supplier, outside any transaction (canceling is idempotent there)
    try:
        supplier_for(booking.hotel).cancel(booking.supplier_reference)
    except SupplierDown:
        raise SupplierUnavailable(
            "The supplier is unavailable; the booking stands until it confirms the "
            "cancellation. Cancel again later."
        ) from None
    # 3. the outcome, its event and the refund, in one transaction
    with transaction.atomic():
        _settle_cancel(booking, timezone.now())
    booking.refresh_from_db()
    return _booking_out(actor, booking)


def _cancel_unpaid(booking: HotelBooking) -> None:
    """Cancel a booking awaiting payment: nothing was booked or charged. Its row first, then
    whether a payment of it is in flight (PaymentInProgress: it may be paid in a moment)."""
    with transaction.atomic():
        locked = (
            HotelBooking.objects.select_for_update()
            .filter(pk=booking.pk, status=BookingStatus.AWAITING_PAYMENT)
            .first()
        )
        if locked is None:
            return  # paid (or expired) meanwhile: the caller looks again
        if payment_in_progress(BOOKING, locked.pk):
            raise PaymentInProgress(
                "A payment for this booking is being processed; try again in a moment."
            )
        locked.status = BookingStatus.CANCELED
        locked.cancellation_fee = Decimal("0.00")
        locked.save(update_fields=["status", "cancellation_fee", "updated_at"])
        _record(
            locked.pk,
            locked.traveller_id,
            BookingStatus.CANCELED,
            {"cancellation_fee": "0.00", "refund_due": "0.00"},
        )


def _settle_cancel(booking: HotelBooking, now: datetime) -> bool:
    """The supplier canceled a stay the traveller asked to cancel: `canceled` with the fee
    recorded with the intent, its event, and the refund of the rest; False if settled
    already (the traveller's call and reconciliation's watch settle it once). Call it in a
    transaction."""
    if not HotelBooking.objects.filter(
        pk=booking.pk, status=BookingStatus.CONFIRMED, cancel_requested_at__isnull=False
    ).update(status=BookingStatus.CANCELED, updated_at=now):
        return False
    fee = booking.cancellation_fee if booking.cancellation_fee is not None else Decimal("0.00")
    _refund_cancellation(booking, fee)
    _record(
        booking.pk,
        booking.traveller_id,
        BookingStatus.CANCELED,
        {"cancellation_fee": str(fee), "refund_due": str(booking.total_price - fee)},
    )
    return True


@service(role=SYSTEM, atomic=True)
def booking_expire_unpaid() -> ExpiredBookings:
    """Expire bookings left unpaid for AGORA_BOOKING_PAYMENT_MINUTES (default 30): nothing
    was booked at the supplier nor charged, and the stay may be booked again. A periodic job;
    also callable by hand. Bookings another transaction holds, and those whose payment is
    being processed, are left for a later run; at most AGORA_EXPIRY_BATCH per run."""
    cutoff = timezone.now() - timedelta(minutes=settings.AGORA_BOOKING_PAYMENT_MINUTES)
    due = list(
        HotelBooking.objects.select_for_update(skip_locked=True)
        .filter(status=BookingStatus.AWAITING_PAYMENT, created_at__lt=cutoff)
        .order_by("id")[: settings.AGORA_EXPIRY_BATCH]
    )
    expiring = [booking for booking in due if not payment_in_progress(BOOKING, booking.pk)]
    now = timezone.now()
    for booking in expiring:
        booking.status = BookingStatus.EXPIRED
        booking.updated_at = now
        _record(booking.pk, booking.traveller_id, BookingStatus.EXPIRED, {})
    HotelBooking.objects.bulk_update(expiring, ["status", "updated_at"])
    return ExpiredBookings(expired=[booking.pk for booking in expiring])


# --- bookings as payments' payables (registered in apps.py) -------------------------------


def _lock_payable(booking_id: int, owner: Any) -> Payable | None:
    """Lock one of `owner`'s bookings for paying (the booking row first, then its payment)."""
    booking = (
        HotelBooking.objects.select_for_update().filter(pk=booking_id, traveller=owner).first()
    )
    if booking is None:
        return None
    return Payable(
        amount=booking.total_price,
        currency=booking.currency or settings.AGORA_CURRENCY,
        may_pay=booking.status == BookingStatus.AWAITING_PAYMENT,
        status=booking.status,
    )


def _mark_paid(booking_id: int) -> None:
    """A locked booking is paid: `pending`, and booked at the supplier once this commits."""
    now = timezone.now()
    if HotelBooking.objects.filter(pk=booking_id, status=BookingStatus.AWAITING_PAYMENT).update(
        status=BookingStatus.PENDING, paid_at=now, updated_at=now
    ):
        enqueue(booking_place, data=BookingRef(booking_id=booking_id))


def _visible(booking_id: int, actor: Any) -> bool:
    return bookings_of(actor).filter(pk=booking_id).exists()


BOOKING_PAYABLE = PayableKind(lock=_lock_payable, on_paid=_mark_paid, visible=_visible)


# Failed attempts that the supplier may hold after all: it had no trace of them yet when
# asked, or it answered 5xx, which does not prove that nothing was booked. A refusal (4xx), a
# request that never left (no connection) and a booking found canceled are final.
MAYBE_AT_SUPPLIER = ("not_at_supplier", "supplier_unavailable")


@service(role=SYSTEM, outside=True)
def booking_reconcile() -> Reconciled:
    """Settle bookings whose outcome is unknown by asking the supplier by client reference,
    and cancel there what it booked after we had failed it (a periodic job; also callable
    by hand).

    Found: `confirmed`. Not found once the grace period (SUPPLIER_RECONCILE_GRACE_SECONDS)
    has passed since the attempt (its payment): `failed`, and only then is the payment
    refunded: never while the outcome is unknown. Supplier down, or too recent: left for
    next time. "Not found" is not final: a failed attempt that may be at the supplier is
    asked about for SUPPLIER_RECONCILE_WINDOW_SECONDS; one that turns up is canceled at the
    supplier (the traveller was told it failed), its reference and the time kept on the row.
    Each step is one conditional update, so concurrent runs settle a booking, and cancel an
    orphan, once.

    It also watches confirmed stays starting within SUPPLIER_WATCH_DAYS: one the supplier
    canceled on its side becomes `canceled_by_supplier` (nothing to pay: refunded whole),
    with the event `booking.canceled_by_supplier` that tells the traveller by mail; one the
    traveller asked to cancel, whose answer was lost, becomes `canceled` with the fee
    recorded with that request, and the rest is refunded."""
    now = timezone.now()
    result = Reconciled(confirmed=[], failed=[], unresolved=[], orphans_canceled=[])
    # orphans first: an attempt that this run fails is asked about from the next run on
    result.orphans_canceled.extend(_cancel_orphans(now))
    _settle_unresolved(now, result)
    canceled_by_supplier, canceled = _watch_upcoming(now)
    result.canceled_by_supplier.extend(canceled_by_supplier)
    result.canceled.extend(canceled)
    return result


def _watch_upcoming(now: datetime) -> tuple[list[int], list[int]]:
    """Confirmed stays coming up that the supplier has canceled: marked so, once (the
    supplier's doing, or the traveller's whose cancel answer was lost)."""
    today = now.date()
    touched_before = now - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS)
    upcoming = (
        HotelBooking.objects.filter(
            status=BookingStatus.CONFIRMED,
            start_date__gte=today,
            start_date__lte=today + timedelta(days=settings.SUPPLIER_WATCH_DAYS),
            updated_at__lte=touched_before,  # not one the traveller is canceling right now
        )
        .exclude(supplier_reference="")
        .select_related("hotel")  # each booking's own supplier is asked
        .order_by("start_date", "id")
    )
    by_supplier, by_traveller = [], []
    for booking in upcoming:
        try:
            found = supplier_for(booking.hotel).get(booking.supplier_reference)
        except SupplierDown:
            continue  # asked again next time
        if found is None or found.status != "canceled":
            continue
        with transaction.atomic():  # the change, its event and the refund
            if booking.cancel_requested_at is not None:
                if _settle_cancel(booking, now):
                    by_traveller.append(booking.pk)
                continue
            # still untouched since it was read (the traveller may have started to cancel)
            if HotelBooking.objects.filter(
                pk=booking.pk,
                status=BookingStatus.CONFIRMED,
                cancel_requested_at__isnull=True,
                updated_at__lte=touched_before,
            ).update(
                status=BookingStatus.CANCELED_BY_SUPPLIER,
                cancellation_fee=Decimal("0.00"),
                updated_at=now,
            ):
                _record(
                    booking.pk,
                    booking.traveller_id,
                    BookingStatus.CANCELED_BY_SUPPLIER,
                    {"supplier_reference": booking.supplier_reference},
                )
                refund_payable(BOOKING, booking.pk)
                by_supplier.append(booking.pk)
    return by_supplier, by_traveller


def _cancel_orphans(now: datetime) -> list[int]:
    grace = timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS)
    window = timedelta(seconds=settings.SUPPLIER_RECONCILE_WINDOW_SECONDS)
    may_be_orphans = (
        HotelBooking.objects.filter(
            status=BookingStatus.FAILED, failure_reason__in=MAYBE_AT_SUPPLIER
        )
        .select_related("hotel")
        .order_by("id")
    )
    canceled = []
    for booking in may_be_orphans.filter(supplier_reference="", created_at__gt=now - window):
        try:
            found = supplier_for(booking.hotel).find(str(booking.client_reference))
        except SupplierDown:
            continue  # asked again next time
        if found is None:
            continue
        # the run that records the reference is the one that cancels
        claimed = HotelBooking.objects.filter(pk=booking.pk, supplier_reference="").update(
            supplier_reference=found.reference, updated_at=now
        )
        if claimed and _cancel_orphan(
            supplier_for(booking.hotel), booking.pk, found.reference, now
        ):
            canceled.append(booking.pk)
    # found by an earlier run that could not cancel it (the supplier was down, or the run
    # died): retried whatever its age, once the grace shows that no other run is on it
    stranded = may_be_orphans.exclude(supplier_reference="").filter(
        orphan_canceled_at__isnull=True, updated_at__lte=now - grace
    )
    for booking in stranded:
        claimed = HotelBooking.objects.filter(
            pk=booking.pk, orphan_canceled_at__isnull=True, updated_at=booking.updated_at
        ).update(updated_at=now)
        if claimed and _cancel_orphan(
            supplier_for(booking.hotel), booking.pk, booking.supplier_reference, now
        ):
            canceled.append(booking.pk)
    return canceled


def _cancel_orphan(
    supplier: SupplierGateway, booking_id: int, reference: str, now: datetime
) -> bool:
    """Cancel at the supplier a booking made under a failed attempt (canceling is idempotent
    there), and record it. False: the supplier is down; the row keeps the reference."""
    try:
        supplier.cancel(reference)
    except SupplierDown:
        return False
    recorded = HotelBooking.objects.filter(pk=booking_id, orphan_canceled_at__isnull=True)
    return bool(recorded.update(orphan_canceled_at=now, updated_at=now))


def _settle_unresolved(now: datetime, result: Reconciled, only: int | None = None) -> None:
    settled_before = now - timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS)
    candidates = (
        HotelBooking.objects.filter(status__in=UNRESOLVED).select_related("hotel").order_by("id")
    )
    if only is not None:  # booking_recheck: one booking
        candidates = candidates.filter(pk=only)
    for booking in candidates:
        if booking.status == BookingStatus.PENDING and booking.attempted_at > settled_before:
            continue  # the first attempt may still be talking to the supplier
        try:
            found = supplier_for(booking.hotel).find(str(booking.client_reference))
        except SupplierDown:
            result.unresolved.append(booking.pk)
            continue
        if found is not None and found.status == "confirmed":
            with transaction.atomic():  # the change and its event
                if _confirm(booking, found, now):
                    result.confirmed.append(booking.pk)
        elif found is not None or booking.attempted_at <= settled_before:
            reason = "canceled_at_supplier" if found is not None else "not_at_supplier"
            with transaction.atomic():  # the change, its event and the refund
                if _fail(booking, reason, now):
                    result.failed.append(booking.pk)
        else:
            result.unresolved.append(booking.pk)


@service(role=MERCHANT, errors=[BookingNotFound], outside=True)
def booking_recheck(*, actor: User, data: BookingRef) -> BookingOut:
    """Ask the supplier now about one booking awaiting its confirmation, as reconciliation
    would (a merchant's "ask the supplier now"), and settle it by the answer.

    Found: `confirmed`. Not found once the grace period has passed: `failed`. Too recent, not
    found yet, or the supplier down: it stays pending, for the next reconciliation. A booking
    already settled is returned as it is."""
    booking = bookings_of(actor).filter(pk=data.booking_id).first()
    if booking is None:
        raise BookingNotFound()
    if booking.status in UNRESOLVED:
        result = Reconciled(confirmed=[], failed=[], unresolved=[], orphans_canceled=[])
        _settle_unresolved(timezone.now(), result, only=booking.pk)
        booking.refresh_from_db()
    return _booking_out(actor, booking)
