"""The travel desk's application services: hotels for merchants, bookings for travellers.

Booking records its intent before it calls the supplier: a `pending` row with our own client
reference is committed first, so a crash between the two leaves a row that reconciliation
resolves by that reference, never a booking nobody knows about. The supplier is never called
inside a transaction. A failed attempt stays as `failed`, for audit; the traveller does not
see it, and if the supplier turns out to hold it after all, reconciliation cancels it there.
A booking whose outcome is unknown (`pending_confirmation`) blocks booking the same
stay again under a new client reference until reconciliation has resolved it.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.bookings.dto import (
    BookingOut,
    BookingRef,
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
    StayStarted,
    SupplierUnavailable,
)
from apps.bookings.gateways import (
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
    UNRESOLVED,
    BookingStatus,
    Hotel,
    HotelBooking,
    violates,
)
from apps.bookings.selectors import booking_get, bookings_of, hotel_get
from apps.roles import MERCHANT, SYSTEM, TRAVELLER
from servicelayer import events
from servicelayer.errors import Conflict, ServiceError
from servicelayer.outside import call_outside
from servicelayer.registry import service


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


def _settle(
    booking: HotelBooking, status: str, *, terms: Sequence[str] = (), **fields: str
) -> None:
    """Save the outcome (`fields` go into the event too, `terms` were set on the row)."""
    booking.status = status
    for name, value in fields.items():
        setattr(booking, name, value)
    booking.save(update_fields=["status", *fields, *terms, "updated_at"])
    if status != BookingStatus.PENDING_CONFIRMATION:  # booking.confirmed, booking.failed
        _record(booking.pk, booking.traveller_id, status, fields)


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
    total is the one quoted, which the supplier checked)."""
    terms: dict[str, Any] = {}
    if found.currency:
        terms["currency"] = found.currency
    if found.policy is not None:
        terms["cancellation_policy"] = found.policy.as_json()
    return terms


@service(
    role=TRAVELLER,
    errors=[
        HotelNotFound,
        InvalidStay,
        StayBeingConfirmed,
        RateChanged,
        BookingRefused,
        SupplierUnavailable,
    ],
    outside=True,
)
def booking_book(*, actor: User, data: NewBooking) -> BookingOut:
    """Book a room type for some guests at the hotel's supplier (at most 30 nights, starting
    today or later), at the total that availability quoted (`quoted_total`).

    Confirmed by the supplier: `confirmed`, with its reference, the total and the
    cancellation policy it was booked at. The supplier's price is no longer the quoted one:
    409 `rate_changed` with `details.new_total`, nothing booked. Refused: 409 with the
    supplier's reason. Supplier down: 503 and nothing is booked. No answer in time, or one
    that cannot be read: the booking is `pending_confirmation` (the API answers 202) until
    reconciliation settles it."""

    def record() -> tuple[HotelBooking, BookingRequest]:
        if data.start_date < timezone.now().date():
            raise InvalidStay(fields={"start_date": ["A stay cannot start in the past."]})
        hotel = Hotel.objects.filter(pk=data.hotel_id, is_active=True).first()
        if hotel is None:
            raise HotelNotFound()
        try:
            # the last statement of this transaction: a conflict rolls it back whole
            booking = HotelBooking.objects.create(
                hotel=hotel,
                traveller=actor,
                start_date=data.start_date,
                end_date=data.end_date,
                special_wishes=data.special_wishes,
                room_type=data.room_type,
                guests=data.guests,
                total_price=data.quoted_total,
                currency=settings.AGORA_CURRENCY,
            )
        except IntegrityError as error:
            if violates(error, HotelBooking, ONE_UNRESOLVED_PER_STAY):
                raise StayBeingConfirmed() from None
            raise
        request = BookingRequest(
            client_reference=str(booking.client_reference),
            supplier_hotel_id=hotel.supplier_hotel_id,
            start_date=data.start_date,
            days=booking.nights,
            guest_wish=data.special_wishes,
            room_type=data.room_type,
            guests=data.guests,
            expected_total=data.quoted_total,
        )
        return booking, request

    def book(intent: tuple[HotelBooking, BookingRequest]) -> SupplierBooking:
        return supplier_for(intent[0].hotel).book(intent[1])

    def settle(
        intent: tuple[HotelBooking, BookingRequest], confirmed: SupplierBooking
    ) -> BookingOut:
        booking = intent[0]
        terms = _terms(confirmed)
        for name, value in terms.items():
            setattr(booking, name, value)
        _settle(
            booking,
            BookingStatus.CONFIRMED,
            terms=list(terms),
            supplier_reference=confirmed.reference,
        )
        return _booking_out(actor, booking)

    def failed(
        intent: tuple[HotelBooking, BookingRequest], error: Exception
    ) -> BookingOut | ServiceError:
        booking = intent[0]
        if isinstance(error, SupplierPriceChanged):
            _settle(booking, BookingStatus.FAILED, failure_reason="rate_changed")
            return RateChanged(
                details={
                    "new_total": str(error.new_total),
                    "quoted_total": str(data.quoted_total),
                }
            )
        if isinstance(error, SupplierRefused):
            _settle(booking, BookingStatus.FAILED, failure_reason=error.code)
            return BookingRefused(error.message, details={"reason": error.code})
        if isinstance(error, SupplierUnreachable):
            _settle(booking, BookingStatus.FAILED, failure_reason="supplier_unreachable")
            return SupplierUnavailable()
        if isinstance(error, SupplierDown):  # a 5xx: reconciliation asks whether it booked
            _settle(booking, BookingStatus.FAILED, failure_reason="supplier_unavailable")
            return SupplierUnavailable()
        if isinstance(error, SupplierOutcomeUnknown):
            _settle(booking, BookingStatus.PENDING_CONFIRMATION)
            return _booking_out(actor, booking)
        raise error  # the booking stays pending: reconciliation asks the supplier

    return call_outside(record=record, call=book, settle=settle, on_error=failed)


@service(
    role=TRAVELLER,
    errors=[BookingNotFound, BookingNotCancelable, StayStarted, SupplierUnavailable],
    outside=True,
)
def booking_cancel(*, actor: User, data: BookingRef) -> BookingOut:
    """Cancel a confirmed booking under its cancellation policy, at the supplier first;
    merchants may cancel any booking.

    Free until the policy's deadline (N days before arrival), then for its fee: the answer's
    `cancellation_fee` and `refund_due` (total minus fee) say what it cost; no money moves
    yet. On or after the start date: 409 `stay_started`. Supplier down: 503 and the booking
    stays confirmed."""
    booking = bookings_of(actor).filter(pk=data.booking_id).first()
    if booking is None:
        raise BookingNotFound()
    if booking.status in (BookingStatus.CANCELED, BookingStatus.CANCELED_BY_SUPPLIER):
        return _booking_out(actor, booking)  # canceling twice changes nothing
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingNotCancelable(details={"status": booking.status})
    today = timezone.now().date()
    if today >= booking.start_date:
        raise StayStarted(details={"start_date": booking.start_date.isoformat()})
    fee = booking.policy.fee(booking.total_price, start=booking.start_date, today=today)
    # touched first: reconciliation leaves a booking just touched alone, so that it does not
    # take our own cancellation, seen at the supplier, for one on the supplier's side
    HotelBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
        updated_at=timezone.now()
    )
    try:
        supplier_for(booking.hotel).cancel(booking.supplier_reference)
    except SupplierDown:
        raise SupplierUnavailable("The supplier is unavailable; the booking stands.") from None
    with transaction.atomic():  # the change and its event
        if HotelBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELED, cancellation_fee=fee, updated_at=timezone.now()
        ):
            refund = booking.total_price - fee
            _record(
                booking.pk,
                booking.traveller_id,
                BookingStatus.CANCELED,
                {"cancellation_fee": str(fee), "refund_due": str(refund)},
            )
    booking.refresh_from_db()
    return _booking_out(actor, booking)


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
    has passed since the attempt: `failed`. Supplier down, or too recent: left for next time.
    "Not found" is not final: a failed attempt that may be at the supplier is asked about for
    SUPPLIER_RECONCILE_WINDOW_SECONDS; one that turns up is canceled at the supplier (the
    traveller was told it failed), its reference and the time kept on the row. Each step is
    one conditional update, so concurrent runs settle a booking, and cancel an orphan, once.

    It also watches confirmed stays starting within SUPPLIER_WATCH_DAYS: one the supplier
    canceled on its side becomes `canceled_by_supplier` (nothing to pay), with the event
    `booking.canceled_by_supplier` that tells the traveller by mail."""
    now = timezone.now()
    result = Reconciled(confirmed=[], failed=[], unresolved=[], orphans_canceled=[])
    # orphans first: an attempt that this run fails is asked about from the next run on
    result.orphans_canceled.extend(_cancel_orphans(now))
    _settle_unresolved(now, result)
    result.canceled_by_supplier.extend(_watch_upcoming(now))
    return result


def _watch_upcoming(now: datetime) -> list[int]:
    """Confirmed stays coming up that the supplier has canceled: marked so, once."""
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
        .order_by("start_date", "id")
    )
    canceled = []
    for booking in upcoming:
        try:
            found = supplier_for(booking.hotel).get(booking.supplier_reference)
        except SupplierDown:
            continue  # asked again next time
        if found is None or found.status != "canceled":
            continue
        with transaction.atomic():  # the change and its event
            if HotelBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
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
                canceled.append(booking.pk)
    return canceled


def _cancel_orphans(now: datetime) -> list[int]:
    grace = timedelta(seconds=settings.SUPPLIER_RECONCILE_GRACE_SECONDS)
    window = timedelta(seconds=settings.SUPPLIER_RECONCILE_WINDOW_SECONDS)
    may_be_orphans = HotelBooking.objects.filter(
        status=BookingStatus.FAILED, failure_reason__in=MAYBE_AT_SUPPLIER
    ).order_by("id")
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
    candidates = HotelBooking.objects.filter(status__in=UNRESOLVED).order_by("id")
    if only is not None:  # booking_recheck: one booking
        candidates = candidates.filter(pk=only)
    for booking in candidates:
        if booking.status == BookingStatus.PENDING and booking.created_at > settled_before:
            continue  # the first attempt may still be talking to the supplier
        try:
            found = supplier_for(booking.hotel).find(str(booking.client_reference))
        except SupplierDown:
            result.unresolved.append(booking.pk)
            continue
        unresolved = HotelBooking.objects.filter(pk=booking.pk, status__in=UNRESOLVED)
        if found is not None and found.status == "confirmed":
            with transaction.atomic():  # the change and its event
                if unresolved.update(
                    status=BookingStatus.CONFIRMED,
                    supplier_reference=found.reference,
                    updated_at=now,
                    **_terms(found),
                ):
                    _record(
                        booking.pk,
                        booking.traveller_id,
                        BookingStatus.CONFIRMED,
                        {"supplier_reference": found.reference},
                    )
                    result.confirmed.append(booking.pk)
        elif found is not None or booking.created_at <= settled_before:
            reason = "canceled_at_supplier" if found is not None else "not_at_supplier"
            with transaction.atomic():  # the change and its event
                if unresolved.update(
                    status=BookingStatus.FAILED, failure_reason=reason, updated_at=now
                ):
                    _record(
                        booking.pk,
                        booking.traveller_id,
                        BookingStatus.FAILED,
                        {"failure_reason": reason},
                    )
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
