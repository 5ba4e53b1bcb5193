"""An order's money: its total is its lines' totals plus shipping, added up exactly and
rounded once to the currency's minor unit (apps.money). Pure functions: the property tests
(apps/ordering/tests/test_money_properties.py) drive them with arbitrary prices and quantities."""

from collections.abc import Iterable
from decimal import Decimal

from apps.money import total_of

ZERO = Decimal("0.00")
# The columns of an order that pricing it writes (the total, and the shipping as re-quoted).
PRICE_FIELDS = ("total", "shipping_cost", "shipping_method_id", "shipping_method_name")


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    """A line's total, exact: a price in minor units times a count stays in minor units."""
    return unit_price * quantity


def lines_total(line_totals: Iterable[Decimal]) -> Decimal:
    return total_of(line_totals)


def order_total(line_totals: Iterable[Decimal], shipping_cost: Decimal) -> Decimal:
    """What the order charges: every line and the shipping, summed, then rounded once."""
    return total_of([*line_totals, shipping_cost])
