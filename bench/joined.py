"""Micro row: an atomic service run inside its caller's transaction, joined or in a savepoint.

    .venv/bin/python -m bench.joined [--calls 200] [--rounds 30]    # `make bench` runs it too

What the idempotency layer does per request (servicelayer/idempotency.run_once): it opens a
transaction, runs an atomic service in it and stores the response. Each call here is that:
one transaction of the caller, in it the same registered atomic service (one UPDATE of one
row), then the caller's own UPDATE, then COMMIT. Only how the service's transaction is opened
differs:

- savepoint: the caller opens `transaction.atomic()`; the service's `atomic()` nests in it,
  SAVEPOINT and RELEASE SAVEPOINT around its work (what `atomic(savepoint=True)` always does);
- joined: the caller opens `transactions.atomic(joinable=True)`; the service joins it.

The variants alternate in short rounds (this machine is shared and noisy: a long round
catches a neighbour's burst in one variant only); the row gives, per variant, the median over
rounds of the mean time per call, and the statements sent per call (counted, not assumed;
BEGIN is not a statement psycopg is asked for, COMMIT is counted).
Needs PostgreSQL (BENCH_DATABASE_URL); uses a table of its own, `bench_joined_counter`.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/agora_bench"


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()


@contextmanager
def counting(counter: list[int]) -> Iterator[None]:
    from django.db import connection

    def count(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        counter[0] += 1
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        yield


def measure(calls: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Per variant, and for what joining saves (the median of the rounds' differences, each
    between two neighbouring runs): microseconds per call, statements per call."""
    from django.db import connection, transaction

    from servicelayer import transactions
    from servicelayer.registry import Registry, service
    from servicelayer.roles import Access, Role

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_joined_counter (id int PRIMARY KEY, n bigint)"
        )
        cursor.execute(
            "INSERT INTO bench_joined_counter VALUES (1, 0), (2, 0) ON CONFLICT DO NOTHING"
        )

    @service(role=Role("bench", Access.SYSTEM), atomic=True, into=Registry())
    def counter_bump() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bench_joined_counter SET n = n + 1 WHERE id = 1")

    def one_call(opening: Callable[[], AbstractContextManager[Any]]) -> None:
        with opening():
            counter_bump()
            with connection.cursor() as cursor:  # the caller's own write (the stored response)
                cursor.execute("UPDATE bench_joined_counter SET n = n + 1 WHERE id = 2")

    variants: dict[str, Callable[[], AbstractContextManager[Any]]] = {
        "savepoint": transaction.atomic,
        "joined": lambda: transactions.atomic(joinable=True),
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    statements: dict[str, float] = {}
    for name, opening in variants.items():  # warm-up, and the statements of one call
        counter = [0]
        with counting(counter):
            one_call(opening)
        statements[name] = counter[0] + 1  # COMMIT goes by connection.commit(), not a cursor
        for _ in range(calls // 10):
            one_call(opening)
    order = list(variants)
    for _ in range(rounds):
        order.reverse()  # neither variant always runs first
        for name in order:
            start = time.perf_counter()
            for _ in range(calls):
                one_call(variants[name])
            timings[name].append((time.perf_counter() - start) / calls * 1e6)
    saved = [s - j for s, j in zip(timings["savepoint"], timings["joined"], strict=True)]
    return {
        **{name: (statistics.median(timings[name]), statements[name]) for name in variants},
        "saved": (statistics.median(saved), statements["savepoint"] - statements["joined"]),
    }


def report(calls: int, rounds: int) -> str:
    results = measure(calls, rounds)
    savepoint, joined, saved = results["savepoint"], results["joined"], results["saved"]
    lines = [
        f"\n{'micro (in process)':<36}{'savepoint':>12}{'joined':>12}{'saved':>12}",
        f"{'service in caller transaction, us':<36}{savepoint[0]:>12.0f}{joined[0]:>12.0f}"
        f"{saved[0]:>12.0f}",
        f"{'  statements per call':<36}{savepoint[1]:>12.0f}{joined[1]:>12.0f}{saved[1]:>12.0f}",
        f"medians of {rounds} alternating rounds of {calls} calls per variant",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    setup()
    print(report(args.calls, args.rounds))


if __name__ == "__main__":
    main()
