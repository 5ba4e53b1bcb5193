"""Shipping methods in the back office: created and edited through shipping_method_create /
shipping_method_update (the form is checked against their DTOs), archived and restored through
their services, never deleted (orders name the method they were priced with)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.roles import MERCHANT
from apps.shipping.dto import NewShippingMethod, ShippingMethodChanges, ShippingMethodRef
from apps.shipping.models import ShippingMethod
from apps.shipping.services import (
    shipping_method_archive,
    shipping_method_create,
    shipping_method_restore,
    shipping_method_update,
)
from servicelayer.adminkit import (
    Button,
    CommaListField,
    ServiceButtons,
    ServiceModelForm,
    ServiceSave,
    bulk_action,
)


class ShippingMethodForm(ServiceModelForm):
    new = NewShippingMethod
    changes = ShippingMethodChanges
    ref = "shipping_method_id"
    creates = ("name", "price", "free_above", "countries")
    updates = creates

    countries = CommaListField(
        upper=True, help_text="ISO 3166-1 alpha-2 codes, separated by commas: PT, ES."
    )

    class Meta:
        model = ShippingMethod
        fields = ["name", "price", "free_above", "countries"]


def _ref(method_id: int) -> ShippingMethodRef:
    return ShippingMethodRef(shipping_method_id=method_id)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ServiceSave, ServiceButtons):
    role = MERCHANT
    form = ShippingMethodForm
    create_service = shipping_method_create
    update_service = shipping_method_update
    list_display = ("id", "name", "price", "free_above", "countries", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("is_active", "created_at", "updated_at")
    buttons = (
        Button(
            "archive",
            "Archive",
            shipping_method_archive,
            _ref,
            done="{obj.name} is no longer offered.",
            shown=lambda method: method.is_active,
        ),
        Button(
            "restore",
            "Restore",
            shipping_method_restore,
            _ref,
            done="{obj.name} is offered again.",
            shown=lambda method: not method.is_active,
        ),
    )
    actions = [
        bulk_action(
            shipping_method_archive,
            _ref,
            name="archive",
            description="Archive the selected shipping methods",
            done="Archived {count} method(s).",
            label="Shipping method #{pk}",
        ),
        bulk_action(
            shipping_method_restore,
            _ref,
            name="restore",
            description="Restore the selected shipping methods",
            done="Restored {count} method(s).",
            label="Shipping method #{pk}",
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead
