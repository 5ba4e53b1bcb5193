"""The outbox's events, read only: what happened, in the order it happened (servicelayer.events).

An event is a record of the past that handlers (mails, webhooks) act on: it is never added,
changed or deleted by hand. Each order's and booking's page shows its own events as its
history; this list shows them all, with whether the relay has published them yet."""

from django.contrib import admin

from apps.roles import MERCHANT
from servicelayer.adminkit import CsvExport, DateRangeFilter, ReadOnly
from servicelayer.models import Event


@admin.register(Event)
class EventAdmin(ReadOnly, CsvExport):
    role = MERCHANT
    list_display = ("id", "kind", "subject", "subject_id", "created_at", "published_at", "attempts")
    list_filter = ("subject", "kind", ("created_at", DateRangeFilter))
    search_fields = ("=subject_id", "kind")
    search_help_text = "A subject's number (an order's, a booking's) or an event's kind."
    ordering = ("-id",)
    csv_columns = (
        ("id", "id"),
        ("kind", "kind"),
        ("subject", "subject"),
        ("subject_id", "subject_id"),
        ("owner_id", "owner_id"),
        ("created_at", "created_at"),
        ("published_at", "published_at"),
        ("attempts", "attempts"),
        ("last_error", "last_error"),
    )
