from django.contrib import admin

from apps.payments.models import Payment, Refund


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    """Read only: money moves through the services, never by hand."""

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
    )
    list_filter = ("status", "payable_kind")
    search_fields = ("gateway_reference", "owner__username")
    list_select_related = ("owner",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin[Refund]):
    """Read only: partial refunds are made by the services (a stay canceled for a fee)."""

    list_display = ("id", "payment", "key", "amount", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("provider_reference", "key")
    list_select_related = ("payment",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
