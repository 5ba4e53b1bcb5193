"""The back office in a real browser: a merchant signs in, ships an order, reads the home page.

Uses the browser fixtures of tests/browser/conftest.py (Debian's Chromium, the network blocked
but for the live server, `admin_page` signed in as the `merchant`, `screenshot`)."""

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.bookings.models import BookingStatus, HotelBooking
from apps.catalog.models import Product
from apps.ordering.dto import NewOrder
from apps.ordering.models import Order
from apps.ordering.services import order_place
from apps.payments.models import Payment, Refund
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mug(make_product):
    return make_product("Mug", price="12.50", stock=20)


@pytest.fixture
def place(shopper, mug):
    def place(quantity=1):
        return order_place(actor=shopper, data=NewOrder(product_id=mug.pk, quantity=quantity))

    return place


def test_a_merchant_ships_a_paid_order_and_sees_its_status_change(
    admin_page: Page, live_url, screenshot, place, pay, shopper, blocked_requests, page_errors
):
    order = place()
    pay(shopper, order.id)
    page = admin_page
    page.goto(f"{live_url}/admin/ordering/order/?status__exact=paid")
    screenshot(page, "orders-paid")
    page.get_by_role("link", name=str(order.id), exact=True).click()
    status = page.locator(".field-status .readonly")
    expect(status).to_have_text("Paid")
    expect(page.locator('[data-panel="payments-and-refunds"]')).to_contain_text("succeeded")
    expect(page.locator('[data-panel="history"]')).to_contain_text("order.paid")
    screenshot(page, "order-paid", full_page=True)

    page.locator('button[data-action="ship"]').click()
    expect(page.locator(".messagelist")).to_contain_text(f"Order #{order.id} is shipped.")
    expect(status).to_have_text("Shipped")
    expect(page.locator('[data-panel="history"]')).to_contain_text("order.shipped")
    expect(page.locator('button[data-action="ship"]')).to_have_count(0)
    expect(page.locator('button[data-action="mark-delivered"]')).to_have_count(1)
    screenshot(page, "order-shipped", full_page=True)
    assert Order.objects.get(pk=order.id).status == "shipped"
    assert blocked_requests == []
    assert page_errors == []


def test_an_unpaid_order_cannot_be_deleted(admin_page: Page, live_url, screenshot, place, mug):
    order = place(quantity=2)
    page = admin_page
    page.goto(f"{live_url}/admin/ordering/order/{order.id}/change/")
    expect(page.locator(".field-status .readonly")).to_have_text("Awaiting payment")
    expect(page.locator("a.deletelink")).to_have_count(0)
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    screenshot(page, "order-unpaid", full_page=True)

    response = page.goto(f"{live_url}/admin/ordering/order/{order.id}/delete/")
    assert response is not None
    assert response.status == 403
    screenshot(page, "order-delete-refused")

    page.goto(f"{live_url}/admin/ordering/order/")
    options = page.locator('select[name="action"] option').all_inner_texts()
    assert not any("Delete" in option for option in options)
    assert any("Cancel" in option for option in options)
    assert Order.objects.filter(pk=order.id).exists()
    assert Product.objects.get(pk=mug.pk).stock == 18  # still held by the order


def figure(page: Page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"] .value').inner_text().strip()


def test_the_dashboards_figures_match_the_database(
    admin_page: Page, live_url, screenshot, place, pay, shopper, make_product, make_hotel
):
    for quantity in (1, 2, 3):
        pay(shopper, place(quantity).id)
    place(4)  # unpaid: an order today, no revenue
    make_product("Empty", stock=0)
    make_product("Nearly", stock=2)
    hotel = make_hotel()
    stay = factories.stay_input(hotel, start=6, nights=2)
    HotelBooking.objects.create(
        hotel=hotel,
        traveller=shopper,
        start_date=stay["start_date"],
        end_date=stay["end_date"],
        room_type="standard",
        total_price=Decimal("80.00"),
        currency="EUR",
        status=BookingStatus.PENDING_CONFIRMATION,
    )
    page = admin_page
    page.goto(f"{live_url}/admin/")
    today = Order.objects.filter(created_at__date=timezone.now().date())
    revenue = today.filter(status__in=["paid", "shipped", "delivered"]).aggregate(s=Sum("total"))
    assert figure(page, "orders-today") == str(today.count())
    assert Decimal(figure(page, "revenue-today")) == revenue["s"]
    assert figure(page, "to-ship") == str(Order.objects.filter(status="paid").count())
    active = Product.objects.filter(is_active=True)
    assert figure(page, "out-of-stock") == str(active.filter(stock=0).count())
    assert figure(page, "low-stock") == str(active.filter(stock__gt=0, stock__lte=5).count())
    refunds_pending = (
        Payment.objects.filter(status="refund_pending").count()
        + Refund.objects.filter(status="pending").count()
    )
    assert figure(page, "refunds-pending") == str(refunds_pending)
    assert figure(page, "bookings-awaiting") == "1"
    today_bar = page.locator(f'[data-chart="orders"] rect[data-day="{timezone.now():%Y-%m-%d}"]')
    expect(today_bar).to_have_attribute("data-value", str(today.count()))
    expect(page.locator('[data-panel="bookings"]')).to_contain_text(hotel.name)
    screenshot(page, "dashboard", full_page=True)

    page.locator('[data-figure="to-ship"] a').click()
    expect(page).to_have_url(re.compile(r"/admin/ordering/order/\?status__exact=paid$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(3)


def test_a_screenshot_of_each_back_office_page(
    admin_page: Page, live_url, screenshot, place, pay, shopper, mug, make_hotel, page_errors
):
    pay(shopper, place().id)
    hotel = make_hotel("Sea View")
    pages = {
        "products": "/admin/catalog/product/",
        "product": f"/admin/catalog/product/{mug.pk}/change/",
        "product-stock": f"/admin/catalog/product/{mug.pk}/stock/",
        "product-add": "/admin/catalog/product/add/",
        "orders": "/admin/ordering/order/",
        "payments": "/admin/payments/payment/",
        "hotels": "/admin/bookings/hotel/",
        "hotel": f"/admin/bookings/hotel/{hotel.pk}/change/",
        "bookings": "/admin/bookings/hotelbooking/",
    }
    for name, path in pages.items():
        response = admin_page.goto(f"{live_url}{path}")
        assert response is not None
        assert response.status == 200, path
        screenshot(admin_page, name, full_page=True)
    assert page_errors == []


def test_a_merchant_restocks_a_product(admin_page: Page, live_url, screenshot, mug):
    page = admin_page
    page.goto(f"{live_url}/admin/catalog/product/{mug.pk}/change/")
    page.locator('a[data-link="change-stock"]').click()
    page.get_by_label("Restock: add units").check()
    page.fill("#id_quantity", "5")
    page.fill("#id_reason", "delivery from the potter")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Mug: Stock 20 -> 25")
    expect(page.locator(".field-stock .readonly")).to_have_text("25")
    screenshot(page, "product-restocked")
    assert Product.objects.get(pk=mug.pk).stock == 25


def test_a_merchant_cancels_a_paid_order_and_it_is_refunded(
    admin_page: Page, live_url, screenshot, place, pay, shopper, mug
):
    order = place(quantity=2)
    pay(shopper, order.id)
    page = admin_page
    page.goto(f"{live_url}/admin/ordering/order/{order.id}/change/")
    page.once("dialog", lambda dialog: dialog.accept())  # "Cancel this order? ..."
    page.locator('button[data-action="cancel-and-refund-if-paid"]').click()
    expect(page.locator(".messagelist")).to_contain_text(f"Order #{order.id} is canceled")
    expect(page.locator(".field-status .readonly")).to_have_text("Canceled")
    # the refund is under way: sent by a task once the cancellation committed (it may have
    # been sent already)
    payments = page.locator('[data-panel="payments-and-refunds"]')
    expect(payments).to_contain_text(re.compile(r"refund_pending|refunded"))
    expect(page.locator('[data-panel="history"]')).to_contain_text("refunded: True")
    screenshot(page, "order-canceled-refunded", full_page=True)
    assert Payment.objects.get(payable_id=order.id).status in ("refund_pending", "refunded")
    assert Product.objects.get(pk=mug.pk).stock == 20
