"""Shipping's public interface: what a method costs for a parcel, as plain data."""

from dataclasses import dataclass
from decimal import Decimal

from apps.shipping.errors import ShippingMethodNotFound
from apps.shipping.models import ShippingMethod

__all__ = ["Quote", "ShippingMethodData", "ShippingMethodNotFound", "quote", "shipping_method"]


@dataclass(frozen=True)
class Quote:
    method_id: int
    method_name: str
    price: Decimal  # 0 when the goods total reaches the method's free_above


@dataclass(frozen=True)
class ShippingMethodData:
    id: int
    name: str
    price: Decimal
    free_above: Decimal | None
    countries: frozenset[str]

    def quote(self, country: str, goods_total: Decimal) -> Quote | None:
        """What shipping goods worth `goods_total` to `country` costs; None if it does not
        ship there."""
        if country not in self.countries:
            return None
        free = self.free_above is not None and goods_total >= self.free_above
        return Quote(self.id, self.name, Decimal("0.00") if free else self.price)


def shipping_method(method_id: int) -> ShippingMethodData | None:
    """An active shipping method, or None (unknown or archived)."""
    row = (
        ShippingMethod.objects.filter(pk=method_id, is_active=True)
        .values_list("id", "name", "price", "free_above", "countries")
        .first()
    )
    if row is None:
        return None
    pk, name, price, free_above, countries = row
    return ShippingMethodData(pk, name, price, free_above, frozenset(countries))


def quote(method_id: int, country: str, goods_total: Decimal) -> Quote | None:
    """What an active method charges to ship goods worth `goods_total` to `country`: its price,
    or 0 when the total is at least its free_above; None if it is archived, unknown or does not
    ship there."""
    method = shipping_method(method_id)
    return method.quote(country, goods_total) if method is not None else None
