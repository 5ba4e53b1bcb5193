"""`check --deploy`: production should not take money with the dummy gateway by accident."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("payments", deploy=True)
def dummy_gateway_in_production(**kwargs: Any) -> list[Warning]:
    """agora.W001 when DEBUG is off and the dummy gateway is in use only because
    PAYMENT_GATEWAY was not set; choosing it explicitly (PAYMENT_GATEWAY=dummy, as the
    production-like run on one machine does) silences it."""
    if settings.DEBUG or settings.PAYMENT_GATEWAY != "dummy":
        return []
    if getattr(settings, "PAYMENT_GATEWAY_CHOSEN", False):
        return []
    return [
        Warning(
            "Payments go through the dummy gateway, which takes no money.",
            hint="Set PAYMENT_GATEWAY=stripe with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, "
            "or PAYMENT_GATEWAY=dummy to say the dummy is meant.",
            id="agora.W001",
        )
    ]
