"""Payments and refunds in the back office: read only. Money moves through the services
(paying, and the refunds canceling starts), never by hand; nothing deletes a record of money."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.payments.models import Payment, Refund
from apps.payments.selectors import FAILED_STATUSES
from apps.roles import MERCHANT
from servicelayer.adminkit import CsvExport, DateRangeFilter, ReadOnly


class OutcomeFilter(admin.SimpleListFilter):
    """Failed (declined, or given up), refunds pending and the rest: the dashboard links here."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("failed", "Failed or declined")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "failed":
            return queryset.filter(status__in=FAILED_STATUSES)
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnly, CsvExport):
    role = MERCHANT  # who may use these pages: any merchant, as the services say
    list_display = (
        "id",
        "payable_kind",
        "payable_id",
        "owner",
        "amount",
        "amount_refunded",
        "currency",
        "status",
        "created_at",
        "updated_at",
    )
    list_filter = ("status", OutcomeFilter, ("created_at", DateRangeFilter), "payable_kind")
    search_fields = ("=payable_id", "gateway_reference", "owner__username", "owner__email")
    search_help_text = "An order's number, a gateway reference, or a customer's username or e-mail."
    list_select_related = ("owner",)
    ordering = ("-id",)
    exclude = ("client_secret",)  # the customer's browser's, not the merchant's
    csv_columns = (
        ("id", "id"),
        ("created_at", "created_at"),
        ("payable_kind", "payable_kind"),
        ("payable_id", "payable_id"),
        ("customer", "owner__username"),
        ("amount", "amount"),
        ("amount_refunded", "amount_refunded"),
        ("currency", "currency"),
        ("status", "status"),
        ("gateway_reference", "gateway_reference"),
        ("refund_reference", "refund_reference"),
        ("decline_reason", "decline_reason"),
    )


@admin.register(Refund)
class RefundAdmin(ReadOnly, CsvExport):
    """Read only: partial refunds are made by the services (a stay canceled for a fee)."""

    role = MERCHANT
    list_display = ("id", "payment", "key", "amount", "status", "created_at", "updated_at")
    list_filter = ("status", ("created_at", DateRangeFilter))
    search_fields = ("=payment__id", "=payment__payable_id", "provider_reference", "key")
    list_select_related = ("payment",)
    ordering = ("-id",)
    csv_columns = (
        ("id", "id"),
        ("created_at", "created_at"),
        ("payment", "payment_id"),
        ("payable_kind", "payment__payable_kind"),
        ("payable_id", "payment__payable_id"),
        ("amount", "amount"),
        ("status", "status"),
        ("provider_reference", "provider_reference"),
    )
