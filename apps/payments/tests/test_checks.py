"""check --deploy warns about the dummy gateway in production unless it was chosen."""

import pytest

from apps.payments.checks import dummy_gateway_in_production


@pytest.mark.parametrize(
    ("debug", "gateway", "chosen", "warned"),
    [
        (False, "dummy", False, True),
        (False, "dummy", True, False),
        (False, "stripe", True, False),
        (True, "dummy", False, False),
    ],
)
def test_the_dummy_gateway_is_warned_about_only_when_not_chosen(
    settings, debug, gateway, chosen, warned
):
    settings.DEBUG = debug
    settings.PAYMENT_GATEWAY = gateway
    settings.PAYMENT_GATEWAY_CHOSEN = chosen
    assert [w.id for w in dummy_gateway_in_production()] == (["agora.W001"] if warned else [])
