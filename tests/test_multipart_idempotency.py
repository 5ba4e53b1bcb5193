"""A file in the body of a JSON endpoint is a 400 `invalid`, with or without an Idempotency-Key
(the key's fingerprint once tried to serialize the upload: a 500)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.ordering.dto import BasketItem, NewOrder


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")


@pytest.fixture
def order(shopper, make_product):
    from apps.ordering.services import order_place

    return order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))


def endpoints(order, make_product, make_hotel, shopper):
    from apps.ordering.services import basket_add_item

    product = make_product()
    basket_add_item(actor=shopper, data=BasketItem(product_id=product.pk, quantity=1))
    start = datetime.date.today() + datetime.timedelta(days=5)
    return {
        "order_place": ("/api/orders/", {"product_id": product.pk, "quantity": 1}),
        "payment_pay": (f"/api/orders/{order.id}/payments/", {"card_token": "tok_visa"}),
        "booking_create": (
            "/api/bookings/",
            {
                "hotel_id": make_hotel().pk,
                "start_date": start.isoformat(),
                "end_date": (start + datetime.timedelta(days=2)).isoformat(),
            },
        ),
        "order_confirm": ("/api/basket/confirm/", {}),
    }


@pytest.mark.parametrize("name", ["order_place", "payment_pay", "booking_create", "order_confirm"])
@pytest.mark.parametrize("key", [None, "retry-1"])
def test_a_file_in_the_body_is_400_invalid(
    api, shopper, order, make_product, make_hotel, name, key
):
    path, fields = endpoints(order, make_product, make_hotel, shopper)[name]
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api(shopper).post(
        path, {**fields, "attachment": upload()}, format="multipart", **headers
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "attachment" in error["fields"]
