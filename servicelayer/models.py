from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """One client request made under an Idempotency-Key (see servicelayer.idempotency)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class Event(models.Model):
    """Something a user or another system cares about, written in the transaction of the change
    it tells of (the outbox; see servicelayer.events). `published_at` stays null until the relay
    has run every handler of its kind."""

    kind = models.CharField(max_length=100)  # "order.paid"
    subject = models.CharField(max_length=50)  # "order"
    subject_id = models.BigIntegerField()
    # whose subject it is (for visibility): a plain id, no foreign key, as an event is a record
    # of the past that stays when its user goes
    owner_id = models.IntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject", "subject_id", "id"], name="event_subject_history"),
            # the relay's queue: only what is still to publish, in id order
            models.Index(
                fields=["id"],
                condition=models.Q(published_at__isnull=True),
                name="event_unpublished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.subject_id} (#{self.pk})"


class EventDelivery(models.Model):
    """That one handler has handled one event: written in the same transaction as the
    handler's own writes, so a redelivered event is not handled twice by that handler."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_delivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.handler} handled event {self.event_id}"
