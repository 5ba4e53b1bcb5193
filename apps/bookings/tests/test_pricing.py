"""A cancellation fee is rounded like every other amount: once, half up, to the minor unit."""

from datetime import date
from decimal import Decimal

from apps.bookings.pricing import Policy


def test_a_percent_fee_on_a_half_cent_rounds_half_up_like_every_total() -> None:
    policy = Policy(free_until_days_before=7, fee_type="percent", fee_value=Decimal("50"))
    fee = policy.fee(Decimal("10.05"), start=date(2027, 1, 10), today=date(2027, 1, 8))
    assert fee == Decimal("5.03")  # 5.025: banker's rounding would say 5.02
