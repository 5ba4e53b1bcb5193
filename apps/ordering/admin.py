from django.contrib import admin

from apps.ordering.models import Order, OrderLine


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    readonly_fields = ("product", "product_name", "quantity", "unit_price")
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    """Read-mostly: status changes go through the services (API or `manage.py call`), so stock
    and the workflow stay consistent."""

    list_display = ("id", "owner", "status", "total", "created_at")
    list_filter = ("status",)
    search_fields = ("owner__username",)
    list_select_related = ("owner",)
    readonly_fields = ("owner", "status", "total", "created_at", "updated_at")
    inlines = [OrderLineInline]

    def has_add_permission(self, request: object) -> bool:
        return False
