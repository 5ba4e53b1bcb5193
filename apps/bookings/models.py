import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Hotel(models.Model):
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    supplier_hotel_id = models.CharField(max_length=50, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["city", "id"], name="hotel_city_id")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending (recorded; the supplier is being asked)"
    PENDING_CONFIRMATION = (
        "pending_confirmation",
        "Pending confirmation (the supplier did not answer)",
    )
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed (kept for audit; not shown to the traveller)"
    CANCELED = "canceled", "Canceled"


UNRESOLVED = (BookingStatus.PENDING, BookingStatus.PENDING_CONFIRMATION)


class HotelBooking(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="bookings")
    traveller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    special_wishes = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(
        max_length=25, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    client_reference = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Our id, sent to the supplier."
    )
    supplier_reference = models.CharField(max_length=100, blank=True, default="")
    failure_reason = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="booking_ends_after_start"
            ),
            # one unresolved attempt per stay: never re-book under a new client reference
            # while the outcome of the last one is unknown
            models.UniqueConstraint(
                fields=["traveller", "hotel", "start_date", "end_date"],
                condition=Q(status__in=["pending", "pending_confirmation"]),
                name="booking_one_unresolved_per_stay",
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
