"""A new shopper's first purchase, all through the API, with the e-mails it brings: register
and activate from the activation mail, forget the password and reset it from the reset mail,
sign in, keep a home address, fill a basket and confirm (the order confirmation mail), send
the order home by the merchant's delivery, pay (the receipt mail).

A transactional test: every request commits for real, so what follows a commit (the event
relay, the mails it queues, the mail task that sends them, account mails included) runs as it
does without a broker, in process."""

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from rest_framework.test import APIClient

from apps.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "nora@example.com"
FIRST_PASSWORD, NEW_PASSWORD = "a-long-first-pass", "a-longer-second-pass"
HOME = {
    "name": "Nora Berg",
    "line1": "Torstrasse 12",
    "city": "Berlin",
    "postal_code": "10119",
    "country": "DE",
}


def the_mail_to(address: str) -> Any:
    """The one mail waiting, which must be for `address`; the outbox is emptied."""
    (message,) = mail.outbox
    mail.outbox.clear()
    assert message.to == [address]
    return message


def link_in(message: Any, path: str) -> dict[str, str]:
    found = re.search(rf"http://\S+{path}\?\S+", str(message.body))
    assert found is not None, message.body
    query = parse_qs(urlparse(found.group(0)).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def ok(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def test_a_new_shopper_registers_resets_the_password_and_buys(merchant, api):
    # The merchant sells mugs and a lamp, and delivers to Germany for 4.90.
    shop = api(merchant)
    mug = ok(shop.post("/api/products/", {"name": "Mug", "price": "12.50", "stock": 10}), 201)
    lamp = ok(shop.post("/api/products/", {"name": "Lamp", "price": "30.00", "stock": 2}), 201)
    delivery = {"name": "Home delivery", "price": "4.90", "countries": ["DE"]}
    ok(shop.post("/api/shipping-methods/", delivery, format="json"), 201)

    # Nora registers, and activates her account from the mail.
    anonymous = APIClient()
    account = {"username": "nora", "email": EMAIL, "password": FIRST_PASSWORD}
    ok(anonymous.post("/api/auth/register/", account, format="json"), 202)
    activation = the_mail_to(EMAIL)
    assert activation.subject == "Activate your Agora account"
    ok(anonymous.post("/api/auth/activate/", link_in(activation, "/activate")), 204)

    # She forgets her password, and sets a new one from the reset mail.
    ok(anonymous.post("/api/auth/password/reset/", {"email": EMAIL}), 202)
    reset = the_mail_to(EMAIL)
    assert reset.subject == "Reset your Agora password"
    link = link_in(reset, "/reset-password")
    ok(
        anonymous.post("/api/auth/password/reset/confirm/", {**link, "new_password": NEW_PASSWORD}),
        204,
    )
    old = anonymous.post("/api/auth/login/", {"username": "nora", "password": FIRST_PASSWORD})
    assert old.status_code == 401
    signed_in = ok(
        anonymous.post("/api/auth/login/", {"username": "nora", "password": NEW_PASSWORD}), 200
    )
    # both came from the account's events, each its one queued mail, sent once
    account_mails = OutgoingMail.objects.filter(template__startswith="account_").order_by("pk")
    assert list(account_mails.values_list("template", "status")) == [
        ("account_activation", "sent"),
        ("account_password_reset", "sent"),
    ]
    nora = APIClient()
    nora.credentials(HTTP_AUTHORIZATION=f"Token {signed_in['token']}")

    # She keeps her home address, fills a basket and confirms it: the confirmation mail.
    home = ok(nora.post("/api/addresses/", HOME, format="json"), 201)
    ok(nora.post("/api/basket/items/", {"product_id": mug["id"], "quantity": 2}), 200)
    ok(nora.post("/api/basket/items/", {"product_id": lamp["id"], "quantity": 1}), 200)
    order = ok(nora.post("/api/basket/confirm/"), 201)
    assert Decimal(order["total"]) == Decimal("55.00")
    confirmation = the_mail_to(EMAIL)
    assert confirmation.subject == f"Your Agora order no. {order['id']} is confirmed"
    assert "2 x Mug at 12.50 EUR: 25.00 EUR" in confirmation.body
    assert "1 x Lamp at 30.00 EUR: 30.00 EUR" in confirmation.body
    assert "Total: 55.00 EUR" in confirmation.body

    # She sends it home by the one delivery that goes to Germany, and pays: the receipt.
    orders = f"/api/orders/{order['id']}"
    ok(nora.post(f"{orders}/address/", {"address_id": home["id"]}), 200)
    (method,) = ok(nora.get("/api/shipping-methods/", {"country": "DE"}), 200)
    priced = ok(nora.post(f"{orders}/shipping/", {"shipping_method_id": method["id"]}), 200)
    assert Decimal(priced["total"]) == Decimal("59.90")
    assert mail.outbox == []  # an address and a method are no news to mail
    payment = ok(nora.post(f"{orders}/payments/", {"card_token": "tok_visa"}), 201)
    assert Decimal(payment["amount"]) == Decimal("59.90")
    receipt = the_mail_to(EMAIL)
    assert receipt.subject == f"Receipt for your Agora order no. {order['id']}"
    assert f"payment of 59.90 EUR for order no. {order['id']}" in receipt.body
    assert f"(payment no. {payment['id']})" in receipt.body
    assert "Shipping (Home delivery): 4.90 EUR" in receipt.body
    assert "Total: 59.90 EUR" in receipt.body
    assert "10119 Berlin, DE" in receipt.body
    assert ok(nora.get(orders + "/"), 200)["status"] == "paid"
