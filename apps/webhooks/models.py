from django.db import models
from django.db.models import Q


class WebhookEndpoint(models.Model):
    """A merchant's receiver of events: where to post, which kinds, and the secret each
    delivery is signed with (shown once, when made; kept to sign)."""

    url = models.CharField(max_length=500)
    secret = models.CharField(max_length=100)
    event_types = models.JSONField(
        help_text="The kinds of event it receives (apps.webhooks.kinds)."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive endpoints receive nothing.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body, frozen when the event was relayed, and where its
    attempts stand. `next_attempt_at` is when it is due (pending only); a worker that takes an
    attempt moves it past the attempt's timeout, so a worker that dies mid-post leaves a
    delivery that comes due again."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # given up after WEBHOOK_MAX_ATTEMPTS

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    event_id = models.BigIntegerField()
    event_type = models.CharField(max_length=100)
    body = models.TextField(help_text="The exact JSON posted (and signed) on every attempt.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", next_attempt_at__isnull=False) | ~Q(status="pending"),
                name="webhook_delivery_pending_is_due_sometime",
            ),
        ]
        indexes = [
            # the due job's queue: only what is still to send, by when
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "id"], name="webhook_delivery_of_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} to endpoint {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: its answer's status code, or the error that stood for one."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["delivery", "id"], name="webhook_attempt_of_delivery")]

    def __str__(self) -> str:
        return f"attempt of delivery {self.delivery_id}: {self.status_code or self.error}"
