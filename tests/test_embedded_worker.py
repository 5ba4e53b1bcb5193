"""The embedded default for real: a Celery worker (prefork) and beat on the file broker, as
`make run` starts them (the same app, with shorter waits: tests/worker_probes.py), on a SQLite
file of their own.

Nothing here needs a server, so these run in the default suite. They wait by polling, with
generous limits, and never assert how long anything took.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.celery_stack import WAIT_SECONDS, CeleryStack

SETUP = """
import json
import django

django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
from datetime import timedelta

from django.utils import timezone

from apps.ordering.dto import NewOrder, OrderRef
from apps.ordering.models import Order
from apps.ordering.services import order_cancel, order_place
from apps.payments.dto import NewPayment
from apps.payments.services import payment_pay
from tests.factories import ProductFactory, UserFactory

shopper = UserFactory.create()
product = ProductFactory.create(stock=5)
paid = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1))
payment = payment_pay(actor=shopper, data=NewPayment(order_id=paid.id, card_token="tok_visa"))
# canceling a paid order sends its refund to the broker as a task, once this commits
order_cancel(actor=shopper, data=OrderRef(order_id=paid.id))
unpaid = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
Order.objects.filter(pk=unpaid.id).update(created_at=timezone.now() - timedelta(hours=1))
print(json.dumps({"payment_id": payment.id, "unpaid_order_id": unpaid.id}))
"""


class Stack(CeleryStack):
    """A database file, a broker folder and the Celery processes started on them."""

    def __init__(self, root: Path) -> None:
        self.database = root / "agora.sqlite3"
        self.probe = root / "probe"
        self.probe.mkdir()
        super().__init__(
            root,
            f"sqlite:///{self.database}",
            PAYMENT_GATEWAY="dummy",
            AGORA_PROBE_DIR=str(self.probe),
        )
        self.made: dict[str, int] = {}

    def setup(self) -> dict[str, int]:
        done = subprocess.run(
            [sys.executable, "-c", SETUP],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS,
        )
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def worker(self) -> subprocess.Popen[bytes]:
        return self.start(
            "worker",
            *("-A", "tests.worker_probes", "worker", "--pool", "prefork"),
            *("--concurrency", "1", "-n", "probe@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        )

    def beat(self) -> subprocess.Popen[bytes]:
        return self.start("beat", "-A", "tests.worker_probes", "beat")

    def status(self, table: str, pk: int) -> str:
        [status] = self.row(f"SELECT status FROM {table} WHERE id = ?", pk)
        return str(status)

    def row(self, sql: str, *params: object) -> tuple[Any, ...]:
        with sqlite3.connect(self.database, timeout=30) as db:
            return tuple(db.execute(sql, params).fetchone())


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The state every test here starts from, made once: the database and the broker folder
    holding the refund task."""
    root = tmp_path_factory.mktemp("prepared")
    return root, Stack(root).setup()


@pytest.fixture
def stack(tmp_path: Path, prepared: tuple[Path, dict[str, int]]) -> Iterator[Stack]:
    """A copy of the prepared state of its own, with the ids SETUP printed as `made`."""
    template, made = prepared
    for database in template.glob("agora.sqlite3*"):  # with WAL's files, if any are left
        shutil.copy(database, tmp_path)
    shutil.copytree(template / "broker", tmp_path / "broker")
    stack = Stack(tmp_path)
    stack.made = made
    try:
        yield stack
    finally:
        stack.stop()


def attempts(stack: Stack) -> list[int]:
    path = stack.probe / "attempts"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def test_a_task_whose_pool_process_is_killed_is_redone_and_applied_once(stack):
    made = stack.made
    stack.worker()
    # the refund task runs in a pool process, which the provider holds after it refunded
    stack.wait_until(lambda: len(attempts(stack)) == 1, "the refund reaches the provider")
    [first] = attempts(stack)
    os.kill(first, signal.SIGKILL)
    (stack.probe / "release").touch()

    def refunded() -> bool:
        return stack.status("payments_payment", made["payment_id"]) == "refunded"

    stack.wait_until(refunded, "the refund task runs again, in another pool process")
    [again] = [pid for pid in attempts(stack) if pid != first]
    assert again != first
    # the provider refunded once: the second attempt carried the same refund reference
    assert stack.row("SELECT COUNT(*) FROM payments_dummyrefund") == (1,)


def test_beat_and_a_worker_run_the_periodic_jobs(stack):
    made = stack.made
    (stack.probe / "release").touch()  # refunds answer at once here
    stack.worker()
    stack.beat()

    def expired() -> bool:
        return stack.status("ordering_order", made["unpaid_order_id"]) == "expired"

    stack.wait_until(expired, "beat sends the expiry job and the worker runs it")
    product_stock = stack.row("SELECT stock FROM catalog_product")
    assert product_stock == (5,)  # both orders' stock went back


def test_a_refund_lost_with_its_killed_worker_is_made_by_the_periodic_job(stack):
    made = stack.made
    worker = stack.worker()
    stack.wait_until(lambda: len(attempts(stack)) == 1, "the refund reaches the provider")
    # the whole worker dies (main process first): the file broker may lose the message it held
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    [child] = attempts(stack)
    os.kill(child, signal.SIGKILL)
    stack.stop()  # what is left of it
    (stack.probe / "release").touch()
    stack.worker()
    stack.beat()

    def refunded() -> bool:
        return stack.status("payments_payment", made["payment_id"]) == "refunded"

    stack.wait_until(refunded, "the refund job, or the requeued task, refunds the payment")
    assert stack.row("SELECT COUNT(*) FROM payments_dummyrefund") == (1,)
