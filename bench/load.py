"""A load run (not a test): many users ordering a few hot products at once, then the figures.

    make load               # or: .venv/bin/python -m bench.load [--orders 10000] [--users 200]

Through gunicorn (2 sync workers) on PostgreSQL with a Celery worker, as `make bench` serves
Agora: USERS users (each with an API token) send ORDERS order placements in all over USERS
connections (wrk, bench/load.lua), each of one unit of one of PRODUCTS hot products, whose
stock is less than the demand (STOCK units each), so some orders are refused with 409
`out_of_stock`. Then it reads the database: orders made, units sold per product against its
stock (oversold units must be 0), and it prints the answers per status (5xx must be 0) and
p50/p99 and how long the placements took. Exits non-zero when a 5xx was answered or a unit
was oversold.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import (
    DEFAULT_BROKER,
    DEFAULT_DB,
    PORT,
    ROOT,
    bench_env,
    ensure_database,
    ensure_ports_free,
    gunicorn,
    start_worker,
    wait_for_server,
)

SCRIPT = Path(__file__).with_name("load.lua")

SEED = """
import sys
from django.contrib.auth.models import User
from apps.accounts.interface import issue_token
from apps.catalog.models import Product, Variant
from apps.ordering.models import Order, OrderLine
from apps.payments.models import DummyCharge, Payment
from servicelayer.models import IdempotencyRecord
users, products, stock = (int(v) for v in sys.argv[1:4])
DummyCharge.objects.all().delete(); Payment.objects.all().delete()
OrderLine.objects.all().delete(); Order.objects.all().delete()
IdempotencyRecord.objects.all().delete()
hot = [Product.objects.create(name=f"Load hot {i}", price="4.99", stock=stock, ships=False)
       for i in range(products)]
for product in hot:  # its one default variant holds its stock
    Variant.objects.create(product=product, sku=f"P{product.pk}", stock=stock)
tokens = []
for i in range(users):
    User.objects.get_or_create(username=f"load{i:03}")
    tokens.append(issue_token(username=f"load{i:03}", name="load", replace=True).key)
print(",".join(str(p.pk) for p in hot))
print("\\n".join(tokens))
"""

CHECK = """
import sys
from django.db.models import Sum
from apps.catalog.models import Product
from apps.ordering.models import Order, OrderLine
ids, stock = [int(i) for i in sys.argv[1].split(",")], int(sys.argv[2])
oversold = 0
for product in Product.objects.filter(pk__in=ids):
    sold = OrderLine.objects.filter(product=product).aggregate(n=Sum("quantity"))["n"] or 0
    oversold += max(0, sold - stock) + max(0, -product.stock)
    assert product.stock == stock - sold, (product.pk, product.stock, stock, sold)
print(Order.objects.count(), oversold)
"""


def manage_shell(env: dict[str, str], script: str, *args: str) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", script]
    # `shell -c` gives the script no argv of its own: pass them through the environment
    env = env | {"LOAD_ARGS": "\x1f".join(args)}
    script = "import os, sys; sys.argv = [''] + os.environ['LOAD_ARGS'].split('\\x1f')\n" + script
    command[-1] = script
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def run_wrk(base: str, threads: int, users: int, orders: int, tokens: str, products: str) -> str:
    """wrk until each thread has its share of `orders` answered (then stopped with SIGINT,
    on which wrk prints its summary)."""
    quota = str(-(-orders // threads))
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/done-"
        command = ["wrk", f"-t{threads}", f"-c{users}", "-d3600s", "--timeout", "30s"]
        command += ["-s", str(SCRIPT), base, "--", tokens, products, quota, prefix]
        wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        while len(list(Path(folder).glob("done-*"))) < threads and wrk.poll() is None:
            time.sleep(0.2)
        wrk.send_signal(signal.SIGINT)
        output, _ = wrk.communicate(timeout=60)
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument("--stock", type=int, default=1_600, help="units of each hot product")
    args = parser.parse_args()
    db = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    env = bench_env(db, os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    ensure_ports_free([PORT])
    ensure_database(db)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    seeded = manage_shell(env, SEED, str(args.users), str(args.products), str(args.stock))
    products, *tokens = seeded.split()
    threads = 2
    worker = start_worker(env)
    server = gunicorn("bench.wsgi", PORT, env)
    base = f"http://127.0.0.1:{PORT}"
    try:
        wait_for_server(base)
        with tempfile.NamedTemporaryFile("w", suffix=".tokens", delete=False) as file:
            file.write("\n".join(tokens[-args.users :]) + "\n")
        started = time.monotonic()
        output = run_wrk(base, threads, args.users, args.orders, file.name, products)
        took = time.monotonic() - started
        os.unlink(file.name)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
    statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    figures = dict(re.findall(r"^(p50_us|p99_us|errors) (\d+)$", output, re.M))
    made, oversold = (int(v) for v in manage_shell(env, CHECK, products, str(args.stock)).split())
    answered = sum(statuses.values())
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    print(
        f"\n{answered} order placements answered ({args.users} users, {args.products} hot "
        f"products of {args.stock} units each, gunicorn -w 2, a Celery worker, {db})"
    )
    for status, count in sorted(statuses.items()):
        print(f"  {status}: {count}")
    late = made - statuses.get(201, 0)
    # wrk stops once every thread has its quota, and the requests then in flight are still
    # served: their orders are made, their answers not counted above
    print(f"orders made (database): {made} ({late} of them answered after wrk stopped)")
    print(f"oversold units: {oversold}")
    print(f"5xx: {server_errors}; socket errors: {figures.get('errors', '?')}")
    print(
        f"latency p50 {int(figures['p50_us']) / 1000:.1f} ms, "
        f"p99 {int(figures['p99_us']) / 1000:.1f} ms"
    )
    print(f"took {took:.1f} s ({answered / took:.0f} answers/s)")
    if server_errors or oversold:
        sys.exit(1)


if __name__ == "__main__":
    main()
