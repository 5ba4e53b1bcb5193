"""The scale-out stack for the battery: started by ops/prodlike.py, seeded, read back.

Everything goes to the stack's own database and RabbitMQ vhost (AGORA_SCALEOUT_DATABASE_URL,
AGORA_SCALEOUT_BROKER_URL; defaults: agora_scaleout on this machine's servers), never to the
test database pytest-django made.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
RUN_DIR = ROOT / "var" / "prod" / "battery"
DATABASE_URL = os.environ.get(
    "AGORA_SCALEOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/agora_scaleout"
)
BROKER_URL = os.environ.get(
    "AGORA_SCALEOUT_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/agora_scaleout"
)
# The stack stands where the TLS-terminating proxy would be: requests say they came over HTTPS.
HTTPS = {"X-Forwarded-Proto": "https"}
WAIT = 30.0  # seconds: a bound for what should long be done, never a measure


def missing_service() -> str | None:
    """Why the stack cannot start here, or None."""
    if not (shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")):
        return "needs PgBouncer: apt-get install pgbouncer"
    for name, url in (("PostgreSQL", DATABASE_URL), ("RabbitMQ", BROKER_URL)):
        parts = urlsplit(url)
        try:
            with socket.create_connection((parts.hostname, parts.port or 0), timeout=2):
                pass
        except OSError:
            return f"needs {name} on {parts.hostname}:{parts.port}"
    return None


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


@dataclass(frozen=True)
class Seeded:
    merchant: str
    shoppers: list[str]
    products: dict[str, int]


@dataclass(frozen=True)
class Stack:
    ports: list[int]
    seeded: Seeded

    def url(self, n: int, path: str) -> str:
        """Request n goes to instance n % 2: consecutive requests alternate between them."""
        return f"http://127.0.0.1:{self.ports[n % len(self.ports)]}{path}"

    def ledger(self) -> list[dict[str, Any]]:
        path = RUN_DIR / "ledger.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        return [json.loads(line) for line in lines]


def _stack_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.pop("CACHE_URL", None)
    env.pop("DATABASE_POOLER", None)
    return env | {"DATABASE_URL": DATABASE_URL, "CELERY_BROKER_URL": BROKER_URL}


SEED = """
import json, uuid
from decimal import Decimal
from django.contrib.auth.models import User
from apps.accounts.interface import issue_token
from apps.catalog.models import Product, Variant
run = uuid.uuid4().hex[:8]
def user(name, staff=False):
    u = User(username=f"{name}-{run}", is_staff=staff)
    u.set_unusable_password()
    u.save()
    return issue_token(username=u.username, name="battery").key
stocks = {"scarce": 10, "basket": 5, "plenty": 1000}
products = {
    # digital goods (ships=False): the battery pays orders without the checkout's middle step
    name: Product.objects.create(
        name=f"{name} {run}", price=Decimal("4.50"), stock=stock, ships=False
    ).pk
    for name, stock in stocks.items()
}
for name, pk in products.items():  # each product's one default variant holds its stock
    Variant.objects.create(product_id=pk, sku=f"P{pk}", stock=stocks[name])
print(json.dumps({"merchant": user("merchant", staff=True),
                  "shoppers": [user(f"shopper{i}") for i in range(%d)],
                  "products": products}))
"""


def seed(shoppers: int) -> Seeded:
    env = _stack_env() | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED % shoppers],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return Seeded(**json.loads(result.stdout.strip().splitlines()[-1]))


def prodlike(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops.prodlike", "scaleout", *args, "--run-dir", str(RUN_DIR)],
        cwd=ROOT,
        env=_stack_env(),
        capture_output=True,
        text=True,
    )


@contextmanager
def started() -> Iterator[list[int]]:
    """Start the stack (stopping one a crashed run left), yield its ports, stop it."""
    prodlike("stop")
    *ports, pgbouncer = free_ports(3)
    started = prodlike(
        "start",
        "--ports",
        ",".join(map(str, ports)),
        "--pgbouncer-port",
        str(pgbouncer),
        "--ledger",
        "--probe-seconds",
        "1",
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield ports
    finally:
        stopped = prodlike("stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def race(calls: Sequence[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Every call in its own thread, all released at once; their responses, in order."""
    gate = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        gate.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def request(method: str, url: str, token: str, **kwargs: Any) -> httpx.Response:
    headers = HTTPS | {"Authorization": f"Token {token}"} | kwargs.pop("headers", {})
    return httpx.request(method, url, headers=headers, timeout=WAIT, **kwargs)


def query(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the stack's database directly (not through the app, nor through PgBouncer)."""
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute(sql, params).fetchall()


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT:.0f} s"
        time.sleep(0.2)
