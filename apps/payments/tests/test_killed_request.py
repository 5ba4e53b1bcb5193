"""A process serving a payment request killed (SIGKILL) at the gateway, on PostgreSQL.

The child pays through the API with an Idempotency-Key and the DB-backed dummy gateway; it
is killed at the gateway, before or after the provider took the money. Nothing it did is
rolled back or cleaned up: its payment stays `processing` and its key stays claimed. The
settling job, in this process, asks the gateway (the same database) and settles it."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.ordering.dto import NewOrder
from apps.ordering.models import Order
from apps.ordering.services import order_expire_unpaid, order_place
from apps.payments.models import Payment, PaymentStatus
from apps.payments.services import payment_settle_stale
from conftest import client_for
from servicelayer.models import IdempotencyRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHILD = """
import sys, time
import django

django.setup()
from rest_framework.test import APIClient
from apps.payments.gateways import DummyGateway

charged, order_id, token, key = sys.argv[1] == "charged", *sys.argv[2:]
real_charge = DummyGateway.charge

def charge(self, **kwargs):
    if charged:
        real_charge(self, **kwargs)
    print("at the gateway", flush=True)
    time.sleep(600)  # the provider is slow to answer; the request is killed meanwhile

DummyGateway.charge = charge
client = APIClient()
client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
client.post(
    f"/api/orders/{order_id}/payments/",
    {"card_token": "tok_visa"},
    format="json",
    HTTP_IDEMPOTENCY_KEY=key,
)
print("the request was not killed", flush=True)
"""


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def kill_while_paying(user, order_id: int, key: str, *, charged: bool) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": "",
    }
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            "charged" if charged else "not-charged",
            str(order_id),
            user.test_token_key,
            key,
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "at the gateway\n", child.stderr.read() if child.stderr else line
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("charged", [True, False])
def test_a_request_killed_at_the_gateway_is_settled_by_the_job(
    make_user, make_product, gateway, charged
):
    shopper = make_user()
    product = make_product(price="5.00", stock=3)
    order = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
    url = f"/api/orders/{order.id}/payments/"
    client = client_for(shopper)

    def retry():
        return client.post(
            url, {"card_token": "tok_visa"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-k"
        )

    kill_while_paying(shopper, order.id, "pay-k", charged=charged)

    payment = Payment.objects.get(payable_kind="order", payable_id=order.id)
    assert payment.status == PaymentStatus.PROCESSING
    assert len(gateway.charges) == (1 if charged else 0)
    # the key's lease still runs: the retry waits for the first request
    assert retry().json()["error"]["code"] == "idempotency_request_in_progress"
    # the lease ran out: the retry runs, finds the payment in flight, and keeps no answer
    IdempotencyRecord.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    stuck = retry()
    assert (stuck.status_code, stuck.json()["error"]["code"]) == (409, "payment_in_progress")
    assert not IdempotencyRecord.objects.exists()
    for action, body in (("cancel", {}), ("quantity", {"quantity": 1})):
        blocked = client.post(f"/api/orders/{order.id}/{action}/", body, format="json")
        assert blocked.json()["error"]["code"] == "payment_in_progress"
    Order.objects.filter(pk=order.id).update(created_at=timezone.now() - timedelta(hours=1))
    assert order_expire_unpaid().expired == []

    Payment.objects.update(created_at=timezone.now() - timedelta(hours=1))
    settled = payment_settle_stale()

    payment.refresh_from_db()
    if charged:
        assert settled.succeeded == [payment.pk]
        [charge] = gateway.charges.values()
        assert (payment.status, payment.gateway_reference) == ("succeeded", charge.id)
        assert Order.objects.get(pk=order.id).status == "paid"
        again = retry()  # the order is paid now: nothing is charged twice
        assert again.json()["error"]["code"] == "order_not_payable"
    else:
        assert settled.failed == [payment.pk]
        assert (payment.status, payment.decline_reason) == ("failed", "abandoned")
        paid = retry()  # the retry with the original key pays, once
        assert (paid.status_code, paid.json()["status"]) == (201, "succeeded")
        assert Order.objects.get(pk=order.id).status == "paid"
    assert len(gateway.charges) == 1
    product.refresh_from_db()
    assert product.stock == 1
