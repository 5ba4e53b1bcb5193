from django.contrib import admin
from django.http import HttpRequest

from apps.notifications.models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin[OutgoingMail]):
    """Read only: a mail is written by its event's handler and sent by the task."""

    list_display = ["id", "template", "to", "status", "attempts", "event_id", "created_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "event_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutgoingMail | None = None) -> bool:
        return False
