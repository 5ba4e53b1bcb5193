"""Each event's mail: to the owner, with its subject and figures, text and HTML."""

from datetime import date
from typing import Any

import pytest
from django.core import mail

from apps.addresses.dto import NewAddress
from apps.addresses.services import address_create
from apps.bookings.dto import BookingRef, NewBooking
from apps.bookings.services import booking_cancel
from apps.bookings.tests.paying import book_and_pay
from apps.notifications.compose import money
from apps.notifications.models import MailStatus, OutgoingMail
from apps.ordering.dto import (
    BasketItem,
    NewOrder,
    OrderRef,
    OrderShippingAddress,
    OrderShippingMethod,
)
from apps.ordering.services import (
    basket_add_item,
    order_cancel,
    order_choose_shipping,
    order_confirm,
    order_place,
    order_set_address,
    order_ship,
)
from apps.shipping.dto import NewShippingMethod
from apps.shipping.services import shipping_method_create
from servicelayer.models import Event
from tests.factories import stay_input

HOME = NewAddress(
    name="Alice Martin", line1="Torstrasse 12", city="Berlin", postal_code="10119", country="DE"
)


def html_of(message: Any) -> str:
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    return str(html)


def only_mail() -> Any:
    (message,) = mail.outbox
    mail.outbox.clear()
    return message


@pytest.fixture
def shipped_order(customer, merchant, make_product, relayed):
    """Two mugs and a lamp sent home by Standard (4.90): 25.00 + 30.00 + 4.90 = 59.90."""
    mug = make_product("Mug", price="12.50", stock=10, ships=True)
    lamp = make_product("Lamp", price="30.00", stock=3, ships=True)
    standard = shipping_method_create(
        actor=merchant, data=NewShippingMethod(name="Standard", price="4.90", countries=["DE"])
    )
    with relayed():
        basket_add_item(actor=customer, data=BasketItem(product_id=mug.pk, quantity=2))
        basket_add_item(actor=customer, data=BasketItem(product_id=lamp.pk, quantity=1))
        order = order_confirm(actor=customer)
    with relayed():  # no mail for these
        home = address_create(actor=customer, data=HOME)
        order_set_address(
            actor=customer, data=OrderShippingAddress(order_id=order.id, address_id=home.id)
        )
        order_choose_shipping(
            actor=customer,
            data=OrderShippingMethod(order_id=order.id, shipping_method_id=standard.id),
        )
    return order


def test_a_confirmed_basket_gets_its_lines_and_totals(shipped_order, customer):
    message = only_mail()
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Your Agora order no. {shipped_order.id} is confirmed"
    body = message.body
    assert "2 x Mug at 12.50 EUR: 25.00 EUR" in body
    assert "1 x Lamp at 30.00 EUR: 30.00 EUR" in body
    assert "Goods: 55.00 EUR" in body
    # written as the order was when the relay handled order.confirmed: no shipping chosen yet
    assert "Shipping: to be chosen" in body
    assert "Total: 55.00 EUR" in body
    html = html_of(message)
    assert "<td>Mug</td><td>2</td><td>12.50 EUR</td><td>25.00 EUR</td>" in html
    assert "<strong>55.00 EUR</strong>" in html
    event = Event.objects.get(kind="order.confirmed")
    assert message.extra_headers["Message-ID"] == (
        f"<agora.event-{event.pk}.order_confirmation@localhost>"
    )


def test_an_order_placed_gets_its_confirmation(customer, make_product, relayed):
    tea = make_product("Tea", price="4.20", stock=5)
    with relayed():
        order = order_place(actor=customer, data=NewOrder(product_id=tea.pk, quantity=3))
    message = only_mail()
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Your Agora order no. {order.id} is confirmed"
    assert "3 x Tea at 4.20 EUR: 12.60 EUR" in message.body
    assert "Total: 12.60 EUR" in message.body
    assert "Shipping" not in message.body  # digital goods


def test_paying_gets_a_receipt_with_the_amount_shipping_and_address(
    shipped_order, customer, pay, relayed
):
    mail.outbox.clear()
    with relayed():
        payment = pay(customer, shipped_order.id)
    message = only_mail()
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Receipt for your Agora order no. {shipped_order.id}"
    body = message.body
    assert f"payment of 59.90 EUR for order no. {shipped_order.id} (payment no. {payment.id})" in (
        body
    )
    assert "Shipping (Standard): 4.90 EUR" in body
    assert "Total: 59.90 EUR" in body
    assert "10119 Berlin, DE" in body
    assert "<strong>59.90 EUR</strong>" in html_of(message)


def test_shipping_gets_a_mail(shipped_order, customer, merchant, pay, relayed):
    with relayed():
        pay(customer, shipped_order.id)
    mail.outbox.clear()
    with relayed():
        order_ship(actor=merchant, data=OrderRef(order_id=shipped_order.id))
    message = only_mail()
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Your Agora order no. {shipped_order.id} is on its way"
    assert "is on its way (Standard)" in message.body
    assert "Total: 59.90 EUR" in message.body


def test_a_paid_order_canceled_gets_the_cancellation_then_the_refund(
    shipped_order, customer, pay, relayed
):
    with relayed():
        pay(customer, shipped_order.id)
    mail.outbox.clear()
    with relayed():  # the refund runs as a task on commit, and is an event of its own
        order_cancel(actor=customer, data=OrderRef(order_id=shipped_order.id))
    canceled, refunded = mail.outbox
    assert canceled.to == refunded.to == ["alice@example.com"]
    assert canceled.subject == f"Your Agora order no. {shipped_order.id} is canceled"
    assert "Its payment of 59.90 EUR will be refunded" in canceled.body
    assert refunded.subject == f"Your refund for Agora order no. {shipped_order.id}"
    assert "we have refunded 59.90 EUR" in refunded.body


def test_an_unpaid_order_canceled_says_nothing_of_a_refund(customer, make_product, relayed):
    with relayed():
        order = order_place(actor=customer, data=NewOrder(product_id=make_product().pk, quantity=1))
    mail.outbox.clear()
    with relayed():
        order_cancel(actor=customer, data=OrderRef(order_id=order.id))
    message = only_mail()
    assert message.subject == f"Your Agora order no. {order.id} is canceled"
    assert "refund" not in message.body


def test_a_booking_confirmed_then_canceled(customer, make_hotel, relayed):
    hotel = make_hotel("Hotel Adlon", city="Berlin")
    stay = NewBooking.model_validate(stay_input(hotel, start=5, nights=3))
    with relayed():
        booking = book_and_pay(customer, stay)
    message = only_mail()
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your stay at Hotel Adlon is booked"
    assert f"Arrival: {stay.start_date.isoformat()}" in message.body
    assert f"Departure: {stay.end_date.isoformat()}" in message.body
    assert "Nights: 3" in message.body
    assert f"Reference: {booking.client_reference}" in message.body
    assert f"Hotel's confirmation: {booking.supplier_reference}" in message.body
    with relayed():
        booking_cancel(actor=customer, data=BookingRef(booking_id=booking.id))
    message = only_mail()
    assert message.subject == "Your stay at Hotel Adlon is canceled"
    assert "Nights: 3" in message.body


def test_a_booking_that_failed(customer, make_hotel, sandbox, relayed):
    hotel = make_hotel("Hotel Adlon & Spa", city="Berlin")
    with relayed():  # paid, then refused by the supplier: failed, and refunded
        book_and_pay(
            customer, NewBooking.model_validate(stay_input(hotel)), faults={"refuse": True}
        )
    message = only_mail()
    assert message.subject == "Your stay at Hotel Adlon & Spa could not be booked"
    assert "Nights: 2" in message.body
    assert "Hotel Adlon &amp; Spa" in html_of(message)


def test_an_owner_without_an_address_gets_no_mail(shopper, make_product, relayed):
    assert not shopper.email
    with relayed():
        order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    assert mail.outbox == []
    row = OutgoingMail.objects.get()
    assert (row.status, row.skip_reason) == (MailStatus.SKIPPED, "The owner has no e-mail address.")
    assert Event.objects.get().published_at is not None


def test_money_is_shown_in_its_currency_s_minor_unit(settings):
    assert money("12.5") == "12.50 EUR"
    assert money("1200", "JPY") == "1200 JPY"
    settings.AGORA_CURRENCY = "CHF"
    assert money("3") == "3.00 CHF"


def test_dates_are_iso(customer, make_hotel, relayed):
    hotel = make_hotel()
    stay = NewBooking.model_validate(stay_input(hotel, first=date(2031, 5, 1), nights=3))
    with relayed():
        book_and_pay(customer, stay)
    body = only_mail().body
    assert "Arrival: 2031-05-01" in body
    assert "Departure: 2031-05-04" in body
