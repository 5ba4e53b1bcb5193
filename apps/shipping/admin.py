from django.contrib import admin

from apps.shipping.models import ShippingMethod


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin[ShippingMethod]):
    list_display = ("id", "name", "price", "free_above", "countries", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")
