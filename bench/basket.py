"""The basket journey's rows of `make bench`: add to basket, confirm, pay (bench/basket.lua).

Each connection is its own shopper (one user and token per connection, seeded here), so each
has its own basket, and each wrk run (a variant's warm-up, each of its rounds) has shoppers of
its own (Shoppers): when wrk stops, the requests a server has queued are still served, so a
run after it with the same shoppers would meet them (a queued confirmation emptying the basket
the next run has just added to: a 409 `basket_empty_or_unavailable` at that run's start).
A journey adds one unit of a product that does not ship (no address or
method is needed to pay), confirms the basket into an order (Idempotency-Key) and pays it
with tok_visa on the dummy gateway (Idempotency-Key). bench/run.py runs it per variant, one
connection per wrk thread, and gets back one row for the whole journey (journeys finished per
second) and one per step, whose rate is the step's answers per second of the time the
connections spent waiting for it: what the connections would get sending only that step at
that latency. docs/performance.md, "Basket journey", says what each variant does.
"""

import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.run import BARE, BARE_PORT, PORT, ROOT, Result, Scenario

SCRIPT = Path(__file__).with_name("basket.lua")
JOURNEY = "basket journey"
STEP_GROUPS = {
    "add": "add to basket",
    "confirm": "confirm (basket -> order)",
    "pay": "pay an order",
}
# per variant the steps it walks: naive DRF has no payment (docs/performance.md says why)
STEPS = {"agora": "add,confirm,pay", "naive DRF": "add,confirm", BARE: "add,confirm,pay"}


def scenarios() -> list[Scenario]:
    """The journey per variant, `path` its API root (the bare floor answers Agora's paths)."""
    return [
        Scenario(JOURNEY, "agora", "/api/", "POST", auth=True, idempotency=True),
        # its own row: a journey without the payment is not comparable to the others'
        Scenario(f"{JOURNEY}, no pay", "naive DRF", "/bench/naive/", "POST", auth=True),
        Scenario(JOURNEY, BARE, "/api/", "POST", auth=True, ports=(BARE_PORT,)),
    ]


def selected(only: str) -> list[Scenario]:
    """The variants whose journey or one of whose steps' names holds `only`."""

    def names(s: Scenario) -> list[str]:
        return [s.group, *(STEP_GROUPS[step] for step in STEPS[s.variant].split(","))]

    return [s for s in scenarios() if any(only in f"{name} {s.variant}" for name in names(s))]


SEED = """
from decimal import Decimal
from django.contrib.auth.models import User
from apps.accounts.interface import issue_token
from apps.catalog.models import Product, Variant
from apps.ordering.models import Basket
users = int(sys.argv[-1])
product = Product.objects.create(name="Hot download", price=Decimal("9.99"),
                                 stock=2_000_000_000, ships=False)
# its one default variant holds its stock (the journey adds it by product_id)
Variant.objects.create(product=product, sku=f"P{product.pk}", stock=product.stock)
tokens = []
for i in range(users):
    name = f"bench-basket-{i}"
    User.objects.get_or_create(username=name)
    tokens.append(issue_token(username=name, name="bench", replace=True).key)
Basket.objects.filter(owner__username__startswith="bench-basket-").delete()
print(",".join(tokens), product.pk)
"""


class Shoppers:
    """Tokens of seeded shoppers, handed out `per_run` at a time, each to one wrk run only."""

    def __init__(self, tokens: list[str], per_run: int) -> None:
        self.tokens, self.per_run, self.at = tokens, per_run, 0

    def take(self) -> str:
        """The next run's shoppers, comma-separated (basket.lua's TOKENS)."""
        chosen = self.tokens[self.at : self.at + self.per_run]
        assert len(chosen) == self.per_run, "more wrk runs than seeded shoppers"
        self.at += self.per_run
        return ",".join(chosen)


def seed(env: dict[str, str], connections: int, runs: int) -> tuple[Shoppers, int]:
    """Shoppers for `runs` wrk runs of `connections` (a token each) and the product they
    buy. Run after bench.run.seed, which empties the catalog and the orders."""
    script = SEED.replace("sys.argv[-1]", str(connections * runs))
    command = [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    tokens, product = out.stdout.split()[-2:]
    return Shoppers(tokens.split(","), connections), int(product)


def journey(
    scenario: Scenario,
    shoppers: Shoppers,
    product: int,
    seconds: int,
    connections: int,
    warm: bool,
) -> list[Result]:
    """One wrk run of bench/basket.lua for `scenario` (after a warm-up run if `warm`), each
    with shoppers of its own: the journey's row and each step's."""
    base = f"http://127.0.0.1:{scenario.ports[0] if scenario.ports else PORT}/"

    def run(duration: str) -> str:
        tokens = shoppers.take()
        command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}", "--latency"]
        command += ["-s", str(SCRIPT), base, "--", tokens, str(product), scenario.path]
        command += [STEPS[scenario.variant], str(time.time_ns())]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    if warm:
        run("2s")
    return results(run(f"{seconds}s"), scenario, seconds, connections)


def results(output: str, scenario: Scenario, seconds: int, connections: int) -> list[Result]:
    """The journey's row and each step's, read from wrk's output and basket.lua's done()."""
    finished = int(re.search(r"Journeys: (\d+)", output).group(1))  # type: ignore[union-attr]
    took = re.search(r"requests in ([\d.]+)(ms|s|m),", output)
    elapsed = (
        float(took.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[took.group(2)]
        if took
        else float(seconds)
    )
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)] if p99 else 0
    step_lines = re.findall(
        r"Step (\w+): ok (\d+) failed (\d+) busy_ms ([\d.]+) p50_ms ([\d.]+) p99_ms ([\d.]+)",
        output,
    )
    failed = sum(int(line[2]) for line in step_lines)
    refused: dict[str, dict[str, int]] = {}  # per step: "status code" -> answers
    for step, status, code, count in re.findall(r"^Refused (\w+) (\d+) (\S+) (\d+)$", output, re.M):
        refused.setdefault(step, {})[f"{status} {code}"] = int(count)
    every = {f"{step}: {kind}": n for step, kinds in refused.items() for kind, n in kinds.items()}
    rows = [Result(scenario, finished / elapsed, failed, p99_ms, every)]
    for step, ok, fails, busy, _, step_p99 in step_lines:
        rate = int(ok) / (float(busy) / 1000 / connections) if float(busy) else 0.0
        group = STEP_GROUPS[step]
        rows.append(
            Result(
                replace(scenario, group=group),
                rate,
                int(fails),
                float(step_p99),
                refused.get(step, {}),
            )
        )
    return rows
