"""Shipping's services: what the merchant does to shipping methods.

Orders copy a method's name and cost when the shopper chooses it, so changing or archiving a
method changes no order already priced, until that order's lines change (then it is quoted
again, see ordering)."""

from django.contrib.auth.models import User

from apps.roles import MERCHANT
from apps.shipping.dto import (
    NewShippingMethod,
    ShippingMethodChanges,
    ShippingMethodOut,
    ShippingMethodRef,
)
from apps.shipping.errors import ShippingMethodNotFound
from apps.shipping.models import ShippingMethod
from servicelayer.registry import service


def _out(method: ShippingMethod) -> ShippingMethodOut:
    return ShippingMethodOut.model_validate(method, from_attributes=True)


def _locked(method_id: int) -> ShippingMethod:
    try:
        return ShippingMethod.objects.select_for_update().get(pk=method_id)
    except ShippingMethod.DoesNotExist:
        raise ShippingMethodNotFound() from None


@service(role=MERCHANT, atomic=True)
def shipping_method_create(*, actor: User, data: NewShippingMethod) -> ShippingMethodOut:
    """Offer a new shipping method: a price, optionally free above a goods total, and the
    countries it ships to."""
    return _out(ShippingMethod.objects.create(**data.model_dump()))


@service(role=MERCHANT, errors=[ShippingMethodNotFound], atomic=True)
def shipping_method_update(*, actor: User, data: ShippingMethodChanges) -> ShippingMethodOut:
    """Change a shipping method; fields not given stay as they are. Orders already priced keep
    their shipping cost."""
    method = _locked(data.shipping_method_id)
    changes = data.model_dump(include=data.model_fields_set - {"shipping_method_id"})
    for name, value in changes.items():
        setattr(method, name, value)
    method.save(update_fields=[*changes, "updated_at"])
    return _out(method)


def _set_active(method_id: int, active: bool) -> ShippingMethodOut:
    method = _locked(method_id)
    method.is_active = active
    method.save(update_fields=["is_active", "updated_at"])
    return _out(method)


@service(role=MERCHANT, errors=[ShippingMethodNotFound], atomic=True)
def shipping_method_archive(*, actor: User, data: ShippingMethodRef) -> ShippingMethodOut:
    """Stop offering a shipping method. Orders that chose it keep it and its cost."""
    return _set_active(data.shipping_method_id, False)


@service(role=MERCHANT, errors=[ShippingMethodNotFound], atomic=True)
def shipping_method_restore(*, actor: User, data: ShippingMethodRef) -> ShippingMethodOut:
    """Offer an archived shipping method again."""
    return _set_active(data.shipping_method_id, True)
