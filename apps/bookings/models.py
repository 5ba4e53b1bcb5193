import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models import F, Q

from apps.bookings.pricing import FREE, Policy


def violates(error: IntegrityError, model: type[models.Model], constraint: str) -> bool:
    """Whether `error` is the violation of this unique constraint of `model`, and no other
    (a race on another constraint, or a foreign key, must not pass for it).

    PostgreSQL names the constraint; SQLite names only its columns."""
    diagnostics = getattr(error.__cause__, "diag", None)
    if diagnostics is not None:
        return bool(diagnostics.constraint_name == constraint)
    fields = next(
        c.fields
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.name == constraint
    )
    table, column = model._meta.db_table, {f.name: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(f"{table}.{column[name]}" for name in fields)
    return str(error) == f"UNIQUE constraint failed: {columns}"


HOTEL_UNIQUE_SUPPLIER_ID = "hotel_unique_supplier_id"
ONE_UNRESOLVED_PER_STAY = "booking_one_unresolved_per_stay"


class SupplierName(models.TextChoices):
    """The suppliers a hotel can be booked at (apps/bookings/gateways.py, docs/supplier-api.md)."""

    ROOMLINE = "roomline", "RoomLine"
    STAYHUB = "stayhub", "StayHub"


class Hotel(models.Model):
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    # where its bookings live: fixed once the hotel has bookings (they are asked about there)
    supplier = models.CharField(
        max_length=20, choices=SupplierName.choices, default=SupplierName.ROOMLINE
    )
    supplier_hotel_id = models.CharField(max_length=50)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # named, so that a concurrent duplicate is told apart from any other violation
            models.UniqueConstraint(fields=["supplier_hotel_id"], name=HOTEL_UNIQUE_SUPPLIER_ID)
        ]
        indexes = [models.Index(fields=["city", "id"], name="hotel_city_id")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class BookingStatus(models.TextChoices):
    # quoted and recorded; nothing is asked of the supplier until it is paid
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    EXPIRED = "expired", "Expired (not paid in time)"
    PENDING = "pending", "Pending (paid, or recorded; the supplier is being asked)"
    PENDING_CONFIRMATION = (
        "pending_confirmation",
        "Pending confirmation (the supplier did not answer)",
    )
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed (kept for audit; not shown to the traveller)"
    CANCELED = "canceled", "Canceled"
    CANCELED_BY_SUPPLIER = (
        "canceled_by_supplier",
        "Canceled by the supplier (found by reconciliation)",
    )


UNRESOLVED = (BookingStatus.PENDING, BookingStatus.PENDING_CONFIRMATION)
# one open booking per stay: unpaid, or paid and not yet settled with the supplier
OPEN = (BookingStatus.AWAITING_PAYMENT, *UNRESOLVED)


class HotelBooking(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="bookings")
    traveller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    special_wishes = models.CharField(max_length=500, blank=True, default="")
    # what it was booked at; rows from before rates were quoted keep the defaults: a free
    # cancellation of a stay of unknown price
    room_type = models.CharField(max_length=30, default="standard")
    guests = models.PositiveSmallIntegerField(default=1)
    total_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, blank=True, default="")
    cancellation_policy = models.JSONField(
        default=dict, blank=True, help_text="pricing.Policy.as_json(); empty: free to cancel."
    )
    cancellation_fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The fee the cancellation cost (kept from the payment; the rest is refunded), "
        "recorded with the cancel intent before the supplier is asked.",
    )
    paid_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its payment succeeded (or, at a total of zero, when it needed none): "
        "from then on it is booked at the supplier.",
    )
    cancel_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The traveller asked to cancel (recorded, with the fee, before the supplier "
        "is asked): reconciliation settles a cancellation whose answer was lost as theirs.",
    )
    status = models.CharField(
        max_length=25, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    client_reference = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Our id, sent to the supplier."
    )
    supplier_reference = models.CharField(max_length=100, blank=True, default="")
    failure_reason = models.CharField(max_length=100, blank=True, default="")
    orphan_canceled_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The supplier made this failed attempt after all (its reference is kept): "
        "when reconciliation canceled it there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="booking_ends_after_start"
            ),
            # one unresolved attempt per stay: never re-book under a new client reference
            # while the outcome of the last one is unknown
            # (nor hold two unpaid bookings of one stay: paying both would book it twice)
            models.UniqueConstraint(
                fields=["traveller", "hotel", "start_date", "end_date"],
                condition=Q(status__in=["awaiting_payment", "pending", "pending_confirmation"]),
                name=ONE_UNRESOLVED_PER_STAY,
            ),
        ]
        indexes = [
            models.Index(fields=["traveller", "id"], name="booking_traveller_id"),
            models.Index(fields=["status", "created_at"], name="booking_status_created"),
            models.Index(fields=["hotel", "start_date"], name="booking_hotel_start"),
        ]

    def __str__(self) -> str:
        return f"Booking {self.client_reference} ({self.status})"

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def attempted_at(self) -> datetime:
        """When it was sent to the supplier, about: paid (or, rows from before payments,
        created). Reconciliation's grace counts from here."""
        return self.paid_at or self.created_at

    @property
    def policy(self) -> Policy:
        return Policy.from_json(self.cancellation_policy) if self.cancellation_policy else FREE
