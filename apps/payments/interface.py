"""Payments' public interface, for ordering: is a payment in flight, and refund on cancel."""

from apps.payments.errors import PaymentInProgress
from apps.payments.models import Payment, PaymentStatus
from servicelayer.tasks import enqueue

__all__ = ["PaymentInProgress", "payment_in_progress", "refund_order"]


def refund_order(order_id: int) -> None:
    """Within the caller's transaction: mark the order's successful payment for refund, and
    refund it through the gateway once that transaction has committed."""
    payment_ids = list(
        Payment.objects.select_for_update()
        .filter(order_id=order_id, status=PaymentStatus.SUCCEEDED)
        .values_list("id", flat=True)
    )
    Payment.objects.filter(pk__in=payment_ids).update(status=PaymentStatus.REFUND_PENDING)
    for payment_id in payment_ids:
        enqueue("payment_refund", data={"payment_id": payment_id})


def payment_in_progress(order_id: int) -> bool:
    """Whether a payment of this order is being processed (call with the order locked)."""
    return Payment.objects.in_progress(order_id)
