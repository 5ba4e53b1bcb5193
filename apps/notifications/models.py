from django.db import models
from django.db.models import Q


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued (to send)"
    SENDING = "sending", "Sending (claimed by a worker)"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (see the reason)"
    FAILED = "failed", "Failed (given up after every attempt)"


ONCE_PER_EVENT = "outgoing_mail_once_per_event"


class OutgoingMail(models.Model):
    """One e-mail an event calls for, written by its handler in the relay's transaction and
    sent after that commits by the task `mail_send` (or the job `mail_send_due`).

    The context is a snapshot, taken when the event was handled, of what the mail shows
    (figures already formatted): a retry sends the same mail, whatever changed since."""

    # the event's id (servicelayer's Event): the mail's idempotency key, in its Message-ID
    event_id = models.BigIntegerField()
    template = models.CharField(max_length=50)
    to = models.EmailField(max_length=254, blank=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    skip_reason = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    due_at = models.DateTimeField(help_text="From when the periodic job may (re)send it.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "template"], name=ONCE_PER_EVENT)
        ]
        indexes = [
            # the periodic job's queue: only mails still to send
            models.Index(
                fields=["status", "due_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outgoing_mail_to_send",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} for event {self.event_id} ({self.status})"
