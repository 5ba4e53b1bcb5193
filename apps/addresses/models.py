from django.conf import settings
from django.db import models
from django.db.models import Q


class Address(models.Model):
    """One entry of a customer's address book. Orders copy it: editing or deleting it later
    leaves past orders as they were."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200, help_text="Who receives the parcel.")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    phone = models.CharField(max_length=30, blank=True, default="")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # at most one default per owner, whatever two requests do at once
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="address_one_default"
            ),
        ]
        indexes = [models.Index(fields=["owner", "id"], name="address_owner_id")]

    def __str__(self) -> str:
        return f"{self.name}, {self.city} ({self.country})"
