"""The business's home page, as data: today's orders and revenue, what waits on the merchant
(paid orders to ship, stock to restock, failed payments, pending refunds, bookings the
supplier has not confirmed) and the last 30 days as bar charts.

Every figure comes from a selector of the app that owns it, through that app's interface; the
back office imports nothing else of the apps (import-linter checks it). The number of queries
is fixed, whatever the amount of data (apps/backoffice/tests pins it).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.bookings.interface import BookingFigures, awaiting_confirmation
from apps.catalog.interface import StockFigures, low_stock_threshold, stock_figures
from apps.ordering.interface import DaySales, OrderFigures, order_figures
from apps.payments.interface import PaymentFigures, payment_figures

DAYS = 30  # the charts' window
LISTED = 10  # rows shown per list
CHART_HEIGHT = 120
BAR_WIDTH = 18
BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    day: date
    value: Decimal | int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    peak: Decimal | int
    width: int
    height: int = CHART_HEIGHT


@dataclass(frozen=True)
class Dashboard:
    today: date
    currency: str
    orders: OrderFigures
    stock: StockFigures
    payments: PaymentFigures
    bookings: BookingFigures
    orders_chart: Chart
    revenue_chart: Chart


def chart(title: str, values: list[tuple[date, Decimal | int]]) -> Chart:
    """Bars scaled to the highest value (an empty window draws flat bars)."""
    peak = max((value for _, value in values), default=0)
    bars = []
    for n, (day, value) in enumerate(values):
        height = round(CHART_HEIGHT * value / peak) if peak else 0
        if value and not height:
            height = 1  # something happened that day: it shows
        bars.append(
            Bar(day, value, x=n * (BAR_WIDTH + BAR_GAP), y=CHART_HEIGHT - height, height=height)
        )
    return Chart(title, tuple(bars), peak, width=len(values) * (BAR_WIDTH + BAR_GAP))


def dashboard(*, now: datetime) -> Dashboard:
    """The figures at `now` (today is its date in the current time zone)."""
    today = timezone.localtime(now).date()
    orders = order_figures(today=today, days=DAYS, limit=LISTED)
    days: tuple[DaySales, ...] = orders.days
    return Dashboard(
        today=today,
        currency=settings.AGORA_CURRENCY,
        orders=orders,
        stock=stock_figures(threshold=low_stock_threshold(), limit=LISTED),
        payments=payment_figures(since=now - timedelta(days=DAYS), limit=LISTED),
        bookings=awaiting_confirmation(now=now, limit=LISTED),
        orders_chart=chart("Orders per day", [(d.day, d.orders) for d in days]),
        revenue_chart=chart(
            f"Revenue per day ({settings.AGORA_CURRENCY})", [(d.day, d.revenue) for d in days]
        ),
    )
