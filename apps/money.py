"""Money in the deployment's currency (AGORA_CURRENCY), shared by every app that adds amounts.

Amounts are Decimals. A total is added up exactly from its parts (prices are already in minor
units, and a price times a quantity stays in them) and quantized once, at the end, by
`quantize_money`: rounding each part first would let a total drift from the sum of its parts.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

# Digits after the point of the currencies Agora may run in. Amount columns keep 2 places, so
# a currency with more (the Kuwaiti dinar's 3) is not offered.
MINOR_DIGITS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "PLN": 2,
    "CZK": 2,
    "JPY": 0,
}


def minor_unit(currency: str | None = None) -> Decimal:
    """The smallest amount of `currency` (the deployment's by default): Decimal("0.01") for
    EUR, Decimal("1") for JPY. An unknown currency is a configuration error (KeyError)."""
    return Decimal(1).scaleb(-MINOR_DIGITS[currency or settings.AGORA_CURRENCY])


def quantize_money(amount: Decimal, currency: str | None = None) -> Decimal:
    """`amount` rounded (half up) to the currency's minor unit: the one rounding of a total."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def total_of(parts: Iterable[Decimal], currency: str | None = None) -> Decimal:
    """The exact sum of `parts`, rounded once to the currency's minor unit."""
    return quantize_money(sum(parts, Decimal(0)), currency)
