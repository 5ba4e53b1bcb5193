"""The business's home page: its figures are the database's, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.dashboard import DAYS, dashboard
from apps.backoffice.tests.helpers import signed_in
from apps.bookings.models import BookingStatus, HotelBooking
from apps.catalog.models import Product
from apps.ordering.dto import NewOrder
from apps.ordering.models import Order, OrderStatus
from apps.ordering.services import order_place
from apps.payments.models import Payment, PaymentStatus, Refund
from tests import factories

# orders (3: the day series, the queue's count, its rows), stock (2), payments (4), bookings (2)
DASHBOARD_QUERIES = 11


def make_business(shopper, make_product, make_hotel, size: int) -> None:
    """`size` of everything the dashboard counts: orders today and earlier in every status,
    products low and out of stock, failed payments, pending refunds, bookings awaiting."""
    now = timezone.now()
    product = make_product("Mug", price="10.00", stock=10_000)
    statuses = [
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELED,
    ]
    for n in range(size):
        for days_ago in (0, 3, 40):
            order = order_place(
                actor=shopper, data=NewOrder(product_id=product.pk, quantity=n % 3 + 1)
            )
            Order.objects.filter(pk=order.id).update(
                status=statuses[n % len(statuses)], created_at=now - timedelta(days=days_ago)
            )
        make_product(stock=0)
        make_product(stock=n % 5 + 1)
        make_product(stock=50)
        for status in (PaymentStatus.DECLINED, PaymentStatus.FAILED, PaymentStatus.REFUND_PENDING):
            Payment.objects.create(
                payable_kind="order",
                payable_id=order.id,
                owner=shopper,
                amount=Decimal("5.00"),
                currency="EUR",
                status=status,
            )
        paid_stay = Payment.objects.create(
            payable_kind="booking",
            payable_id=10_000 + Payment.objects.count(),
            owner=shopper,
            amount=Decimal("100.00"),
            amount_refunded=Decimal("60.00"),
            currency="EUR",
            status=PaymentStatus.SUCCEEDED,
        )
        Refund.objects.create(payment=paid_stay, key="canceled", amount=Decimal("60.00"))
        hotel = make_hotel()
        stay = factories.stay_input(hotel, start=5 + n, nights=2)
        HotelBooking.objects.create(
            hotel=hotel,
            traveller=shopper,
            start_date=stay["start_date"],
            end_date=stay["end_date"],
            room_type="standard",
            guests=1,
            total_price=Decimal("100.00"),
            currency="EUR",
            status=BookingStatus.PENDING_CONFIRMATION,
        )


@pytest.mark.parametrize("size", [1, 6])
def test_the_figures_are_the_databases(shopper, make_product, make_hotel, settings, size):
    settings.AGORA_LOW_STOCK_THRESHOLD = 3
    make_business(shopper, make_product, make_hotel, size)
    now = timezone.now()
    d = dashboard(now=now)
    today = now.date()
    placed_today = Order.objects.filter(created_at__date=today)
    paid = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    assert d.orders.today.orders == placed_today.count()
    assert d.orders.today.revenue == (
        placed_today.filter(status__in=paid).aggregate(s=Sum("total"))["s"] or Decimal("0.00")
    )
    assert d.orders.to_ship == Order.objects.filter(status=OrderStatus.PAID).count()
    assert [o.id for o in d.orders.oldest_to_ship] == list(
        Order.objects.filter(status="paid")
        .order_by("updated_at", "id")
        .values_list("id", flat=True)[:10]
    )
    assert len(d.orders.days) == DAYS
    assert d.orders.days[-1].day == today
    in_window = Order.objects.filter(created_at__date__gt=today - timedelta(days=DAYS))
    assert sum(day.orders for day in d.orders.days) == in_window.count()
    assert sum(day.revenue for day in d.orders.days) == (
        in_window.filter(status__in=paid).aggregate(s=Sum("total"))["s"] or Decimal("0.00")
    )
    active = Product.objects.filter(is_active=True)
    assert d.stock.out_of_stock == active.filter(stock=0).count()
    assert d.stock.low == active.filter(stock__gt=0, stock__lte=3).count()
    assert [p.stock for p in d.stock.lowest] == sorted(p.stock for p in d.stock.lowest)
    assert d.payments.failed == Payment.objects.filter(status__in=["declined", "failed"]).count()
    assert d.payments.refunds_pending == (
        Payment.objects.filter(status="refund_pending").count()
        + Refund.objects.filter(status="pending").count()
    )
    assert (
        d.bookings.awaiting
        == HotelBooking.objects.filter(status__in=["pending", "pending_confirmation"]).count()
    )
    assert all(b.age >= timedelta(0) for b in d.bookings.oldest)
    assert sum(bar.value for bar in d.orders_chart.bars) == in_window.count()


@pytest.mark.parametrize("size", [1, 8])
def test_the_dashboard_takes_a_fixed_number_of_queries(
    shopper, make_product, make_hotel, size, django_assert_num_queries
):
    make_business(shopper, make_product, make_hotel, size)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard(now=timezone.now())


@pytest.fixture
def desk(client, merchant):
    return signed_in(client, merchant)


def test_the_admin_index_is_the_dashboard_in_as_many_queries_whatever_the_data(
    desk, shopper, make_product, make_hotel
):
    def index_queries():
        with CaptureQueriesContext(connection) as queries:
            response = desk.get(reverse("admin:index"))
        assert response.status_code == 200
        return len(queries), response

    make_business(shopper, make_product, make_hotel, 1)
    few, _ = index_queries()
    make_business(shopper, make_product, make_hotel, 6)
    many, response = index_queries()
    assert few == many
    page = response.content.decode()
    d = response.context["dashboard"]
    queue = reverse("admin:ordering_order_changelist") + "?status__exact=paid"
    assert f'<a href="{queue}"><span class="value">{d.orders.to_ship}</span>' in page
    assert page.count("<rect ") == 2 * DAYS
    assert 'data-panel="chart-revenue"' in page
    assert 'data-panel="bookings"' in page


def test_the_index_is_for_staff_only(client, shopper):
    client.force_login(shopper)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_events_are_listed_read_only(desk, shopper, make_product):
    product = make_product(stock=5)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))
    listing = desk.get(reverse("admin:servicelayer_event_changelist"), {"q": str(order.id)})
    assert [event.kind for event in listing.context["cl"].result_list] == ["order.placed"]
    event = listing.context["cl"].result_list[0]
    assert desk.get(reverse("admin:servicelayer_event_delete", args=[event.pk])).status_code == 403
    assert desk.get(reverse("admin:servicelayer_event_add")).status_code == 403
