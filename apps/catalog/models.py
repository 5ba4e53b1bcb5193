from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Product(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="", max_length=5000)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    stock = models.IntegerField(default=0, help_text="Units available to order.")
    is_active = models.BooleanField(default=True, help_text="Archived products are not sold.")
    ships = models.BooleanField(
        default=True,
        db_default=True,  # for products the release before this column inserts
        help_text="Sent as a parcel; digital goods are not: they need no address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]
        indexes = [
            # keyset pagination: one index per offered ordering, the id as tie-breaker
            models.Index(fields=["name", "id"], name="product_name_id"),
            models.Index(fields=["price", "id"], name="product_price_id"),
            models.Index(fields=["created_at", "id"], name="product_created_id"),
        ]

    def __str__(self) -> str:
        return self.name
