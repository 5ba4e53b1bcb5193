from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.ordering.errors import IllegalTransition, OrderNotEditable


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELED = "canceled", "Canceled"
    EXPIRED = "expired", "Expired (canceled for want of payment)"


# The workflow: which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.AWAITING_PAYMENT: frozenset(
        {OrderStatus.PAID, OrderStatus.CANCELED, OrderStatus.EXPIRED}
    ),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}


class Order(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.AWAITING_PAYMENT
    )
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Checkout: where the parcel goes and how (copies, so that later edits of the address book
    # or of the method change no order already priced). None of it for digital goods only.
    # Database defaults too: code a release older (a rolling deploy, a rollback of another
    # app's migrations) still inserts orders.
    needs_shipping = models.BooleanField(
        default=False, db_default=False, help_text="Some line is sent as a parcel."
    )
    ship_to_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    ship_to_line1 = models.CharField(max_length=200, blank=True, default="", db_default="")
    ship_to_line2 = models.CharField(max_length=200, blank=True, default="", db_default="")
    ship_to_city = models.CharField(max_length=100, blank=True, default="", db_default="")
    ship_to_postal_code = models.CharField(max_length=20, blank=True, default="", db_default="")
    ship_to_country = models.CharField(
        max_length=2,
        blank=True,
        default="",
        db_default="",
        help_text="Empty: no shipping address yet.",
    )
    ship_to_phone = models.CharField(max_length=30, blank=True, default="", db_default="")
    shipping_method_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The shipping method chosen (shipping's id)."
    )
    shipping_method_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    shipping_cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "id"], name="order_owner_id"),
            models.Index(fields=["status", "id"], name="order_status_id"),
            models.Index(fields=["status", "created_at"], name="order_status_created"),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk} ({self.status})"

    def _move_to(self, status: str) -> None:
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransition(
                f"A {self.status} order cannot become {status}.",
                details={"from": self.status, "to": status},
            )
        self.status = status

    def pay(self) -> None:
        self._move_to(OrderStatus.PAID)

    def expire(self) -> None:
        self._move_to(OrderStatus.EXPIRED)

    def ship(self) -> None:
        self._move_to(OrderStatus.SHIPPED)

    def deliver(self) -> None:
        self._move_to(OrderStatus.DELIVERED)

    def cancel(self) -> None:
        self._move_to(OrderStatus.CANCELED)

    @property
    def has_address(self) -> bool:
        return bool(self.ship_to_country)

    def missing_for_payment(self) -> list[str]:
        """What an order of goods that ship lacks before it may be paid."""
        if not self.needs_shipping:
            return []
        missing = [] if self.has_address else ["shipping_address"]
        return missing if self.shipping_method_id is not None else [*missing, "shipping_method"]

    def ensure_editable(self) -> None:
        if self.status != OrderStatus.AWAITING_PAYMENT:
            raise OrderNotEditable(details={"status": self.status})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=200, help_text="The name when ordered.")
    sku = models.CharField(max_length=64, default="", help_text="The SKU when ordered.")
    attributes = models.JSONField(
        default=dict, blank=True, help_text="The variant's attribute values when ordered."
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="The price when ordered."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.UniqueConstraint(fields=["order", "variant"], name="order_line_unique_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class Basket(models.Model):
    """A shopper's one open basket, created on first use and emptied by confirmation."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Basket of {self.owner_id}"


class BasketLine(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="basket_line_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["basket", "variant"], name="basket_line_unique_variant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"
