"""An order's total must fit Order.total and Payment.amount: a larger one is a 409
`order_total_too_large` with the limit and the computed total, and nothing is written
(stock taken for it goes back with the rolled-back transaction)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator

from apps.catalog.models import Product
from apps.ordering.dto import MAX_ORDER_TOTAL
from apps.ordering.models import BasketLine, Order, OrderLine
from apps.payments.models import Payment

MAX_PRICE = "99999999.99"  # the largest price a product takes (max_digits=10)
CONFIRM, ORDERS = "/api/basket/confirm/", "/api/orders/"


def assert_too_large(response, total):
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "order_total_too_large"
    assert error["details"] == {"limit": "9999999999.99", "total": total}


@pytest.mark.parametrize(
    "field", [Order._meta.get_field("total"), Payment._meta.get_field("amount")]
)
def test_the_limit_is_what_the_columns_hold(field):
    holds = DecimalValidator(field.max_digits, field.decimal_places)
    holds(MAX_ORDER_TOTAL)
    with pytest.raises(ValidationError):
        holds(MAX_ORDER_TOTAL + Decimal("0.01"))


def test_placing_an_order_too_large_is_409_and_takes_nothing(api, shopper, make_product):
    product = make_product(price=MAX_PRICE, stock=500)
    response = api(shopper).post(ORDERS, {"product_id": product.pk, "quantity": 101}, format="json")
    assert_too_large(response, "10099999998.99")
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 500


def test_the_largest_order_that_fits_is_placed(api, shopper, make_product):
    product = make_product(price=MAX_PRICE, stock=500)
    response = api(shopper).post(ORDERS, {"product_id": product.pk, "quantity": 100}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "9999999999.00"


def test_confirming_a_basket_too_large_is_409_and_takes_nothing(
    api, shopper, make_product, make_user
):
    # the price went up after the items were added: the confirmation refuses it
    cheap, dear = make_product(price="1.00", stock=500), make_product(price="1.00", stock=500)
    client = api(shopper)
    for product in (cheap, dear):
        client.post("/api/basket/items/", {"product_id": product.pk, "quantity": 60}, format="json")
    Product.objects.filter(pk__in=[cheap.pk, dear.pk]).update(price=Decimal(MAX_PRICE))
    response = client.post(CONFIRM, HTTP_IDEMPOTENCY_KEY="big-1")
    assert_too_large(response, "11999999998.80")
    assert not Order.objects.exists()
    assert BasketLine.objects.count() == 2
    assert set(Product.objects.values_list("stock", flat=True)) == {500}


def test_adding_to_a_basket_past_the_limit_is_refused_at_once(api, shopper, make_product):
    first, second = make_product(price=MAX_PRICE, stock=500), make_product(price=MAX_PRICE)
    client = api(shopper)
    added = client.post(
        "/api/basket/items/", {"product_id": first.pk, "quantity": 99}, format="json"
    )
    assert added.status_code == 200, added.content
    response = client.post(
        "/api/basket/items/", {"product_id": second.pk, "quantity": 2}, format="json"
    )
    assert_too_large(response, "10099999998.99")
    grown = client.patch(f"/api/basket/items/{first.pk}/", {"quantity": 101}, format="json")
    assert_too_large(grown, "10099999998.99")
    assert list(BasketLine.objects.values_list("quantity", flat=True)) == [99]


def test_changing_a_quantity_past_the_limit_is_409_and_changes_nothing(api, shopper, make_product):
    product = make_product(price=MAX_PRICE, stock=500)
    client = api(shopper)
    order = client.post(ORDERS, {"product_id": product.pk, "quantity": 1}, format="json").json()
    response = client.post(f"/api/orders/{order['id']}/quantity/", {"quantity": 101}, format="json")
    assert_too_large(response, "10099999998.99")
    assert OrderLine.objects.get().quantity == 1
    assert Order.objects.get().total == Decimal(MAX_PRICE)
    product.refresh_from_db()
    assert product.stock == 499


def test_the_error_is_documented_on_each_service():
    from apps.ordering import services
    from apps.ordering.errors import OrderTotalTooLarge

    for func in (
        services.order_place,
        services.order_confirm,
        services.order_change_quantity,
        services.basket_add_item,
        services.basket_change_quantity,
    ):
        assert OrderTotalTooLarge in func.spec.errors


def test_a_basket_over_the_limit_may_always_shrink(api, shopper, make_product):
    product = make_product(price="1.00", stock=500)
    client = api(shopper)
    client.post("/api/basket/items/", {"product_id": product.pk, "quantity": 200}, format="json")
    Product.objects.filter(pk=product.pk).update(price=Decimal(MAX_PRICE))
    response = client.patch(f"/api/basket/items/{product.pk}/", {"quantity": 150}, format="json")
    assert response.status_code == 200, response.content
    assert BasketLine.objects.get().quantity == 150
