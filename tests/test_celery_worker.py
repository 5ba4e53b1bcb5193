"""Celery delivery for real: a worker process on a Redis broker runs a service by name.

Needs PostgreSQL (the worker and the test share the test database, which SQLite keeps in
memory) and Redis; in CI a missing one fails the test instead of skipping it.
"""

import os
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from celery import Celery
from django.db import connection

from apps.catalog.models import Product
from apps.ordering.models import Order
from tests.celery_stack import postgres_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BROKER = "redis://127.0.0.1:6379/15"


@pytest.fixture
def worker(redis_up):
    env = os.environ | {
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "DATABASE_URL": postgres_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            "agora-test",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # not the current app: the project's app (eager in tests) must stay the one that shared
    # tasks, such as run_service, resolve to in the tests that follow
    client = Celery(broker=BROKER, backend=BROKER, set_as_current=False)
    client.conf.task_default_queue = "agora-test"
    try:
        yield client
    finally:
        process.terminate()
        process.wait(timeout=20)
        client.close()


def wait_for(result: Any) -> Any:
    """The task's result. This process is a client here, never a worker, whatever an earlier
    in-process worker (tests/test_request_id.py) left in Celery's process-wide state."""
    return result.get(timeout=60, disable_sync_subtasks=False)


def test_a_worker_runs_a_service_with_a_json_dto(worker, make_user, make_product):
    shopper = make_user()
    product = make_product(price="3.50", stock=5)
    result = worker.send_task(
        "servicelayer.run_service",
        args=["order_place", {"product_id": product.pk, "quantity": 2}],
        kwargs={"actor_id": shopper.pk},
    )
    body = wait_for(result)
    assert (body["status"], body["total"]) == ("awaiting_payment", "7.00")
    assert Order.objects.get().owner_id == shopper.pk
    assert Product.objects.get(pk=product.pk).stock == 3
    assert Order.objects.get().total == Decimal("7.00")


def test_a_worker_refuses_bad_input_like_every_delivery(worker, make_user):
    shopper = make_user()
    result = worker.send_task(
        "servicelayer.run_service",
        args=["order_place", {"quantity": 0}],
        kwargs={"actor_id": shopper.pk},
    )
    with pytest.raises(Exception, match="input is not valid"):
        wait_for(result)
    assert not Order.objects.exists()
