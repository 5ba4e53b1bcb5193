from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class PaymentStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"  # recorded before the gateway is called
    # the customer must authenticate (3-D Secure) with the client secret; a webhook settles it
    REQUIRES_ACTION = "requires_action", "Requires the customer's action"
    SUCCEEDED = "succeeded", "Succeeded"
    DECLINED = "declined", "Declined"
    FAILED = "failed", "Failed (nothing was charged)"  # provider down, or given up: abandoned
    REFUND_PENDING = "refund_pending", "Refund pending"
    REFUNDED = "refunded", "Refunded"


# A payment in flight, or the one that paid its payable. Refunds are not in it: a charge that
# came back after its payment had been given up is refunded while another payment stands.
LIVE_STATUSES = (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.SUCCEEDED)
# in flight: the provider's answer is awaited
IN_FLIGHT_STATUSES = (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION)


class PaymentQuerySet(models.QuerySet["Payment"]):
    def of(self, kind: str, payable_id: int) -> "PaymentQuerySet":
        """The payments of one payable."""
        return self.filter(payable_kind=kind, payable_id=payable_id)

    def in_progress(self, kind: str, payable_id: int) -> bool:
        """Whether a payment of this payable is being processed (ask with the payable locked)."""
        return self.of(kind, payable_id).filter(status__in=IN_FLIGHT_STATUSES).exists()


class Payment(models.Model):
    # What it pays for, by reference (see apps/payments/payables.py): payments imports no app
    # that sells, so there is no foreign key to the payable's table.
    payable_kind = models.CharField(max_length=20)
    payable_id = models.BigIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PROCESSING
    )
    gateway_reference = models.CharField(max_length=100, blank=True, default="")
    refund_reference = models.CharField(max_length=100, blank=True, default="")
    decline_reason = models.CharField(max_length=100, blank=True, default="")
    # what the customer's browser confirms a `requires_action` payment with (Stripe.js)
    client_secret = models.CharField(max_length=255, blank=True, default="")
    # what refunds have given back or are giving back (partial refunds: the Refund rows; a
    # whole refund: all of it once done). Reserved in the refund's own transaction by a
    # conditional update, so concurrent refunds never give back more than was charged.
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        constraints = [
            # at most one payment per payable is in flight or has paid it
            models.UniqueConstraint(
                fields=["payable_kind", "payable_id"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="payment_one_live_per_payable",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0, amount_refunded__lte=F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["payable_kind", "payable_id", "id"], name="payment_payable_id"),
            # payment_settle_stale looks for old processing payments every minute
            models.Index(
                fields=["created_at"],
                condition=Q(status=PaymentStatus.PROCESSING),
                name="payment_processing_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment #{self.pk} of {self.payable_kind} {self.payable_id} ({self.status})"

    @property
    def charge_reference(self) -> str:
        """Sent to the gateway with the charge: a retried charge is the same charge."""
        return f"agora-payment-{self.pk}"

    @property
    def refund_request_reference(self) -> str:
        return f"agora-refund-{self.pk}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending (recorded; the provider is being asked)"
    SUCCEEDED = "succeeded", "Succeeded"


class Refund(models.Model):
    """A partial refund of a payment (a stay canceled for a fee: what was paid minus the fee).

    Recorded, with its amount reserved on the payment, in the transaction that decides it
    (the payable locked first, then the payment), and sent to the provider by a task once
    that commits, with its own reference as the provider's idempotency key. The caller's `key`
    makes a repeated request the same refund. A whole refund keeps the payment's own status
    (refund_pending, refunded) instead."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(max_length=100, help_text="The caller's key: one refund per key.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "key"], name="refund_one_per_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund #{self.pk} of {self.amount} on payment #{self.payment_id} ({self.status})"

    @property
    def reference(self) -> str:
        """Sent to the gateway with the refund: a retried refund is the same refund."""
        return f"agora-refund-{self.payment_id}-{self.pk}"


class DummyCharge(models.Model):
    """A charge the dummy gateway holds, by our reference: in the database, so that every
    process (web, worker, job) sees the same provider. Not Agora's record of a payment."""

    reference = models.CharField(max_length=100, unique=True)
    charge_id = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    requires_action = models.BooleanField(default=False)  # the customer has not authenticated
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.charge_id} ({self.reference})"


class DummyRefund(models.Model):
    """A refund the dummy gateway holds, by our reference (see DummyCharge)."""

    reference = models.CharField(max_length=100, unique=True)
    refund_id = models.CharField(max_length=40, unique=True)
    charge_id = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.refund_id} ({self.reference})"


class ProviderEvent(models.Model):
    """A webhook event from the payment provider, kept by its id so each is handled once
    (Stripe delivers an event at least once, and again when we answer slowly)."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"
