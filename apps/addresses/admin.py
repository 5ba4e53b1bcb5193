from django.contrib import admin

from apps.addresses.models import Address


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    list_display = ("id", "owner", "name", "city", "country", "is_default")
    list_filter = ("country", "is_default")
    search_fields = ("name", "city", "postal_code", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
