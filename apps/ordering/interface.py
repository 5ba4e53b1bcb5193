"""Ordering's public interface. Plain data only.

Payments reaches orders through the payable kind ordering registers at start-up
(apps.py, services.ORDER_PAYABLE), never through this module: payments is the lower layer.
"""

from apps.ordering.errors import IllegalTransition, OrderNotFound

__all__ = ["IllegalTransition", "OrderNotFound"]
