from django.db import models
from django.db.models import Q


class ShippingMethod(models.Model):
    """A way the merchant ships parcels: its price, the goods total above which it is free
    (if any), and the countries it ships to (at least one)."""

    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    free_above = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Free when the goods total is at least this much; empty: never free.",
    )
    countries = models.JSONField(help_text="ISO 3166-1 alpha-2 codes it ships to.")
    is_active = models.BooleanField(default=True, help_text="Archived methods are not offered.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative"),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gt=0),
                name="shipping_free_above_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name
