"""What each mail shows, composed from an event: its payload, and the owning apps' data read
through their interfaces. A mail's context is plain JSON-safe data with the figures already
formatted (amounts with their currency), so the row that keeps it is the mail as it will be
sent, and a template only lays it out.

A composer returns the context, or None when the subject is gone (the mail is skipped).

Account mails are the one exception to "the row is the mail": their one-time links (activation,
password reset) are not in the row. The context keeps the account's id, and `at_send` asks
accounts for a fresh link (Django's token generator, from the account's state at that moment)
each time the mail is rendered for sending. So no live token is stored, neither in the event
(its payload has none) nor in the mail's row; a retry carries a new token, as good as the
first; and a mail whose link no longer applies when it is sent (the account activated,
deactivated, purged meanwhile) is skipped, not sent with a link that cannot work."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from apps.accounts.interface import AccountLink, activation_link, password_reset_link
from apps.bookings.interface import BookingSummary, booking_summary
from apps.money import quantize_money
from apps.ordering.interface import OrderSummary, order_summary
from servicelayer.events import EventData

Context = dict[str, Any]
Composer = Callable[[EventData], Context | None]


def money(amount: Decimal | str, currency: str | None = None) -> str:
    """An amount as a mail shows it, in its currency's minor unit: "29.90 EUR"."""
    currency = currency or settings.AGORA_CURRENCY
    return f"{quantize_money(Decimal(amount), currency)} {currency}"


def _order(order: OrderSummary) -> Context:
    ship_to = order.ship_to
    return {
        "order_id": order.id,
        "lines": [
            {
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
            }
            for line in order.lines
        ],
        "lines_total": money(order.lines_total),
        "needs_shipping": order.needs_shipping,
        "ship_to": None
        if ship_to is None
        else {
            "name": ship_to.name,
            "line1": ship_to.line1,
            "line2": ship_to.line2,
            "city": ship_to.city,
            "postal_code": ship_to.postal_code,
            "country": ship_to.country,
        },
        "shipping_method": order.shipping_method,
        "shipping_cost": money(order.shipping_cost),
        "total": money(order.total),
    }


def order_confirmation(event: EventData) -> Context | None:
    order = order_summary(event.subject_id)
    return None if order is None else _order(order)


def payment_receipt(event: EventData) -> Context | None:
    order = order_summary(event.subject_id)
    if order is None:
        return None
    paid = event.payload
    return {
        **_order(order),
        "payment_id": paid["payment_id"],
        "amount": money(paid["amount"], paid.get("currency")),
    }


def order_shipped(event: EventData) -> Context | None:
    return order_confirmation(event)


def order_canceled(event: EventData) -> Context | None:
    context = order_confirmation(event)
    return None if context is None else {**context, "refunded": bool(event.payload["refunded"])}


def order_refunded(event: EventData) -> Context | None:
    order = order_summary(event.subject_id)
    if order is None:
        return None
    refund = event.payload
    return {
        **_order(order),
        "payment_id": refund["payment_id"],
        "amount": money(refund["amount"], refund.get("currency")),
    }


def _booking(booking: BookingSummary) -> Context:
    return {
        "booking_id": booking.id,
        "hotel_name": booking.hotel_name,
        "hotel_city": booking.hotel_city,
        "start_date": booking.start_date.isoformat(),
        "end_date": booking.end_date.isoformat(),
        "nights": booking.nights,
        "reference": booking.reference,
        "supplier_reference": booking.supplier_reference,
        "failure_reason": booking.failure_reason,
    }


def booking(event: EventData) -> Context | None:
    found = booking_summary(event.subject_id)
    return None if found is None else _booking(found)


def account(event: EventData) -> Context | None:
    """An account mail: the account's id (its owner, the recipient, is checked already)."""
    return {"user_id": event.subject_id}


def username_taken(event: EventData) -> Context | None:
    return {"username": event.payload["username"]}


# template -> the link it shows, made when it is sent (None: the mail no longer applies)
LINKS: dict[str, Callable[[int], AccountLink | None]] = {
    "account_activation": activation_link,
    "account_password_reset": password_reset_link,
}


def at_send(template: str, context: Context) -> Context | None:
    """The context to render now: the stored one, with a fresh one-time link if the mail has
    one; None if its link no longer applies (the mail is skipped)."""
    make_link = LINKS.get(template)
    if make_link is None:
        return context
    found = make_link(context["user_id"])
    if found is None:
        return None
    return {
        **context,
        "url": found.url,
        "uid": found.uid,
        "token": found.token,
        "valid_for": found.valid_for,
    }
