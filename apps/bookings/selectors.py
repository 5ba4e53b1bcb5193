"""Reads of hotels and bookings. A traveller sees their own bookings (never failed attempts
they did not pay for); a merchant sees all, filterable by hotel, status and dates."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.bookings.dto import HOTEL_FIELDS, BookingOut, BookingQuery, HotelOut, HotelQuery
from apps.bookings.errors import BookingNotFound, HotelNotFound
from apps.bookings.models import UNRESOLVED, BookingStatus, Hotel, HotelBooking
from apps.bookings.pricing import FREE, Policy, cancellation_terms
from apps.roles import ANYONE, TRAVELLER
from servicelayer import events
from servicelayer.events import EventOut, EventQuery
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

BOOKING_FIELDS = (
    "id",
    "hotel_id",
    "start_date",
    "end_date",
    "special_wishes",
    "room_type",
    "guests",
    "total_price",
    "currency",
    "cancellation_policy",
    "cancellation_fee",
    "status",
    "paid_at",
    "client_reference",
    "supplier_reference",
    "created_at",
    "updated_at",
)


@query(role=ANYONE, output=HotelOut)
def hotel_list(*, actor: Any, params: HotelQuery) -> Page:
    """Hotels that take bookings, by name; search by name or city."""
    hotels = Hotel.objects.filter(is_active=True)
    if params.city:
        hotels = hotels.filter(city__iexact=params.city)
    if params.search:
        hotels = hotels.filter(name__icontains=params.search)
    return keyset_page(
        hotels.values(*HOTEL_FIELDS),
        ordering=("name",),
        size=params.page_size,
        cursor=params.cursor,
    )


@query(role=ANYONE, output=HotelOut, errors=[HotelNotFound])
def hotel_get(*, actor: Any, hotel_id: int) -> dict[str, Any]:
    """One hotel (archived ones: merchants only)."""
    hotels = Hotel.objects.all()
    if actor is None or not actor.is_staff:
        hotels = hotels.filter(is_active=True)
    row = hotels.filter(pk=hotel_id).values(*HOTEL_FIELDS).first()
    if row is None:
        raise HotelNotFound()
    return row


def bookings_of(actor: Any) -> QuerySet[HotelBooking]:
    bookings = HotelBooking.objects.all()
    if actor.is_staff:
        return bookings
    # a failed attempt that was never paid is kept for audit only; one that was paid is the
    # traveller's to see, with its refund
    return bookings.filter(traveller=actor).exclude(
        status=BookingStatus.FAILED, paid_at__isnull=True
    )


def _rows(bookings: QuerySet[HotelBooking]) -> QuerySet[HotelBooking, dict[str, Any]]:
    return bookings.values(
        *BOOKING_FIELDS, hotel_name=F("hotel__name"), traveller_name=F("traveller__username")
    )


def _present(row: dict[str, Any]) -> dict[str, Any]:
    row["traveller"] = row.pop("traveller_name")
    row["nights"] = (row["end_date"] - row["start_date"]).days
    policy = Policy.from_json(row["cancellation_policy"]) if row["cancellation_policy"] else FREE
    row["cancellation_policy"] = policy.as_json()
    row["cancellation_fee"], row["refund_due"] = cancellation_terms(
        row["status"],
        row["total_price"],
        policy,
        start=row["start_date"],
        today=timezone.now().date(),
        fee_charged=row["cancellation_fee"],
    )
    return row


@query(role=TRAVELLER, output=BookingOut)
def booking_list(*, actor: Any, params: BookingQuery) -> Page:
    """Bookings, newest first: your own, or every booking for a merchant."""
    bookings = bookings_of(actor)
    if params.hotel_id is not None:
        bookings = bookings.filter(hotel_id=params.hotel_id)
    if params.status is not None:
        bookings = bookings.filter(status=params.status)
    if params.starts_from is not None:
        bookings = bookings.filter(start_date__gte=params.starts_from)
    if params.starts_until is not None:
        bookings = bookings.filter(start_date__lte=params.starts_until)
    page = keyset_page(
        _rows(bookings), ordering=("-id",), size=params.page_size, cursor=params.cursor
    )
    return Page(results=[_present(row) for row in page.results], next_cursor=page.next_cursor)


@query(role=TRAVELLER, output=BookingOut, errors=[BookingNotFound])
def booking_get(*, actor: Any, booking_id: int) -> dict[str, Any]:
    """One booking. Another traveller's booking is not found."""
    row = _rows(bookings_of(actor).filter(pk=booking_id)).first()
    if row is None:
        raise BookingNotFound()
    return _present(row)


@query(role=TRAVELLER, output=EventOut, errors=[BookingNotFound])
def booking_events(*, actor: Any, booking_id: int, params: EventQuery) -> Page:
    """A booking's history, oldest first: confirmed, canceled... with what each event says.
    Another traveller's booking is not found."""
    if not bookings_of(actor).filter(pk=booking_id).exists():
        raise BookingNotFound()
    return events.history("booking", booking_id, params)


# --- for the back office (apps.backoffice, the admin): plain rows, a fixed number of queries ---


@dataclass(frozen=True)
class AwaitingBooking:
    id: int
    hotel_name: str
    traveller: str
    status: str  # pending, or pending_confirmation
    start_date: date
    sent_at: datetime  # to the supplier: when it was paid (or created, before payments)
    age: timedelta  # how long it has been waiting for the supplier's word


@dataclass(frozen=True)
class BookingFigures:
    awaiting: int  # bookings whose outcome the supplier has not told yet
    oldest: tuple[AwaitingBooking, ...]  # the ones waiting longest first


def awaiting_confirmation(*, now: datetime, limit: int = 10) -> BookingFigures:
    """Bookings still awaiting the supplier's confirmation, the oldest first, with their age
    at `now` (two queries, whatever the number of bookings)."""
    unresolved = HotelBooking.objects.filter(status__in=UNRESOLVED)
    # waiting since it was sent to the supplier: paid (rows from before payments: created)
    rows = (
        unresolved.annotate(sent_at=Coalesce("paid_at", "created_at"))
        .order_by("sent_at", "id")
        .values_list("id", "hotel__name", "traveller__username", "status", "start_date", "sent_at")[
            :limit
        ]
    )
    return BookingFigures(
        awaiting=unresolved.count(),
        oldest=tuple(AwaitingBooking(*row, age=now - row[-1]) for row in rows),
    )
