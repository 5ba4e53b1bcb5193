"""The fake Stripe for payments' tests (see fake_stripe.py)."""

from typing import Any

import pytest
import respx
import stripe

from apps.payments import stripe_gateway
from apps.payments.tests.fake_stripe import API_BASE, FakeStripe


def stripe_test_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_fake",
        base_addresses={"api": API_BASE},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
        max_network_retries=0,  # a retry would sleep; the contract is about one answer
    )


@pytest.fixture
def fake_stripe(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_API_BASE = API_BASE
    monkeypatch.setattr(stripe_gateway, "stripe_client", lambda: stripe_test_client())
    fake = FakeStripe()
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake
