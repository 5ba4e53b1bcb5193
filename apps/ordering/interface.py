"""Ordering's public interface: what payments may do to an order. Plain data only.

Each function runs inside the caller's transaction and locks the order row, so a payment
and a cancellation or expiry of the same order are serialized.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.ordering.errors import IllegalTransition, OrderNotFound
from apps.ordering.models import Order, OrderStatus
from apps.ordering.selectors import orders_of

__all__ = [
    "IllegalTransition",
    "OrderNotFound",
    "PayableOrder",
    "ensure_order_visible",
    "lock_order",
    "mark_order_paid",
]


@dataclass(frozen=True)
class PayableOrder:
    id: int
    owner_id: int
    total: Decimal
    status: str

    @property
    def awaits_payment(self) -> bool:
        return self.status == OrderStatus.AWAITING_PAYMENT


def lock_order(order_id: int, *, owner: Any) -> PayableOrder:
    """Lock one of `owner`'s orders (select for update) and return what paying needs."""
    order = Order.objects.select_for_update().filter(pk=order_id, owner=owner).first()
    if order is None:
        raise OrderNotFound()
    return PayableOrder(order.pk, order.owner_id, order.total, order.status)


def mark_order_paid(order_id: int) -> None:
    """Lock an order awaiting payment and mark it paid (IllegalTransition otherwise)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    order.pay()
    order.save(update_fields=["status", "updated_at"])


def ensure_order_visible(order_id: int, *, actor: Any) -> None:
    """OrderNotFound unless `actor` may see the order (its owner, or a merchant)."""
    if not orders_of(actor).filter(pk=order_id).exists():
        raise OrderNotFound()
