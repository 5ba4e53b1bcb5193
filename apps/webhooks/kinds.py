"""The kinds of event a merchant's endpoint may subscribe to: what happens to orders and
bookings. Account events (a password reset asked for) are about a person, not the shop, and
are never offered."""

from typing import Literal, get_args

EventType = Literal[
    "order.placed",
    "order.confirmed",
    "order.address_set",
    "order.shipping_chosen",
    "order.paid",
    "order.refunded",
    "order.shipped",
    "order.delivered",
    "order.canceled",
    "order.expired",
    "booking.confirmed",
    "booking.failed",
    "booking.canceled",
    "booking.canceled_by_supplier",
]

OFFERED_KINDS: tuple[str, ...] = get_args(EventType)
