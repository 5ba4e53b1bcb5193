"""Orders in the back office: a delivery like REST and the CLI.

Every change goes through ordering's services as the signed-in merchant, with the same DTOs:
ship, deliver and cancel (a paid order is refunded by order_cancel) are buttons on the order's
page and bulk actions on the list; a service's refusal (an illegal transition) is a message.
Nothing here writes an order's status, total or lines, and nothing deletes an order: it carries
money and stock."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.ordering.dto import OrderRef
from apps.ordering.models import Order, OrderLine, OrderStatus
from apps.ordering.services import order_cancel, order_deliver, order_ship
from apps.payments.interface import ORDER, PAYMENT_TABLE_COLUMNS, payment_table
from apps.roles import MERCHANT
from servicelayer.adminkit import (
    Button,
    CsvExport,
    DateRangeFilter,
    Panel,
    ServiceButtons,
    bulk_action,
    change_link,
    history_panel,
)


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    """An order's lines, as they were ordered: never added, changed or deleted here."""

    model = OrderLine
    extra = 0
    fields = (
        "product",
        "product_name",
        "variant",
        "sku",
        "attributes",
        "quantity",
        "unit_price",
        "line_total",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # shown on the order's page only, to whom OrderAdmin lets see it


def _ref(order_id: int) -> OrderRef:
    return OrderRef(order_id=order_id)


@admin.register(Order)
class OrderAdmin(ServiceButtons, CsvExport):
    """Read only, with the workflow's buttons: ship, deliver, cancel (and refund)."""

    role = MERCHANT  # who may use these pages: any merchant, as the services say

    list_display = ("id", "customer", "email", "status", "total", "created_at", "updated_at")
    list_filter = ("status", ("created_at", DateRangeFilter), "needs_shipping")
    search_fields = ("=id", "owner__username", "owner__email")
    search_help_text = "An order's number, or a customer's username or e-mail."
    list_select_related = ("owner",)
    ordering = ("-id",)
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    fieldsets = (
        (None, {"fields": ("status", "total", "created_at", "updated_at")}),
        ("Customer", {"fields": ("customer_link", "email")}),
        (
            "Shipping",
            {
                "fields": (
                    "needs_shipping",
                    "ship_to",
                    "shipping_method_name",
                    "shipping_cost",
                )
            },
        ),
    )
    readonly_fields = (
        "status",
        "total",
        "created_at",
        "updated_at",
        "customer_link",
        "email",
        "needs_shipping",
        "ship_to",
        "shipping_method_name",
        "shipping_cost",
    )
    buttons = (
        Button(
            "ship",
            "Ship",
            order_ship,
            _ref,
            done="Order #{obj.pk} is shipped.",
            shown=lambda order: order.status == OrderStatus.PAID,
        ),
        Button(
            "deliver",
            "Mark delivered",
            order_deliver,
            _ref,
            done="Order #{obj.pk} is delivered.",
            shown=lambda order: order.status == OrderStatus.SHIPPED,
        ),
        Button(
            "cancel",
            "Cancel (and refund if paid)",
            order_cancel,
            _ref,
            done="Order #{obj.pk} is canceled; its stock is back on sale.",
            shown=lambda order: order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID),
            confirm="Cancel this order? A paid order is refunded.",
        ),
    )
    actions = [
        bulk_action(
            order_ship,
            _ref,
            description="Ship the selected paid orders",
            done="Shipped {count} order(s).",
            label="Order #{pk}",
        ),
        bulk_action(
            order_deliver,
            _ref,
            description="Mark the selected orders delivered",
            done="Delivered {count} order(s).",
            label="Order #{pk}",
        ),
        bulk_action(
            order_cancel,
            _ref,
            description="Cancel the selected orders (refunding the paid ones)",
            done="Canceled {count} order(s); the paid ones are being refunded.",
            label="Order #{pk}",
        ),
    ]
    csv_columns = (
        ("id", "id"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
        ("customer", "owner__username"),
        ("email", "owner__email"),
        ("status", "status"),
        ("total", "total"),
        ("shipping_cost", "shipping_cost"),
        ("shipping_method", "shipping_method_name"),
        ("ship_to_country", "ship_to_country"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the page is read only: its buttons run the services

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an order carries money and stock: it is canceled, never deleted

    @admin.display(description="customer", ordering="owner__username")
    def customer(self, order: Order) -> str:
        return order.owner.get_username()

    @admin.display(description="e-mail", ordering="owner__email")
    def email(self, order: Order) -> str:
        return order.owner.email

    @admin.display(description="customer")
    def customer_link(self, order: Order) -> str:
        url = reverse(f"{self.admin_site.name}:auth_user_change", args=[order.owner_id])
        others = reverse(f"{self.admin_site.name}:ordering_order_changelist")
        return format_html(
            '<a href="{}">{}</a> (<a href="{}?owner__id__exact={}">all their orders</a>)',
            url,
            order.owner.get_username(),
            others,
            order.owner_id,
        )

    @admin.display(description="ship to")
    def ship_to(self, order: Order) -> str:
        if not order.has_address:
            return "-"
        parts = (
            order.ship_to_name,
            order.ship_to_line1,
            order.ship_to_line2,
            f"{order.ship_to_postal_code} {order.ship_to_city}".strip(),
            order.ship_to_country,
            order.ship_to_phone,
        )
        return ", ".join(part for part in parts if part)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "owner__id__exact" or super().lookup_allowed(lookup, value, request)

    def panels(self, request: HttpRequest, obj: Order) -> list[Panel]:
        payments = payment_table(ORDER, obj.pk, self.payment_link)
        return [
            Panel("Payments and refunds", PAYMENT_TABLE_COLUMNS, payments, empty="No payment yet."),
            history_panel("order", obj.pk),
        ]

    def payment_link(self, payment_id: int) -> str:
        return change_link(self.admin_site.name, "payments_payment", payment_id, f"#{payment_id}")
