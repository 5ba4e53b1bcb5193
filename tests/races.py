"""Races on PostgreSQL made to happen on purpose: threads that start together, and a
transaction held open at a chosen point while a competitor runs."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction

WAIT = 10  # seconds: a bound for a thread that should long be done, never a measure


def run_all(calls: Sequence[Callable[..., Any]]) -> list[Any]:
    """Run every call in its own thread, all released at once; their results, in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[..., Any]) -> Any:
        try:
            start.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def assert_waits_for_a_lock(statement: str = "") -> None:
    """Poll until another session of this database is blocked on a lock running a statement
    that starts with `statement` (any, if empty); fail after WAIT seconds."""
    for _ in range(WAIT * 100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid() "
                "AND replace(query, '\"', '') LIKE %s",
                [statement + "%"],
            )
            row = cursor.fetchone()
            if row and row[0]:
                return
        threading.Event().wait(0.01)
    raise AssertionError(f"no session waits on a lock for {statement!r}")


def compete_while_held(
    hold: Callable[[], Any], compete: Callable[[], Any], *, waits_on: str = ""
) -> tuple[Any, Any]:
    """Chosen interleaving: A runs `hold()` in a transaction it keeps open; B runs `compete()`
    meanwhile. Asserts that B blocks on A's lock (on a statement starting with `waits_on`)
    instead of reading stale rows, then lets A commit. Returns A's result and B's (or the
    exception B raised)."""
    held, may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def a() -> None:
        try:
            with transaction.atomic():
                results["a"] = hold()
                held.set()
                may_commit.wait(timeout=WAIT)
        finally:
            connection.close()

    def b() -> None:
        try:
            held.wait(timeout=WAIT)
            results["b"] = compete()
        except Exception as exc:  # B's outcome may be one of our errors: the test reads it
            results["b"] = exc
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    try:
        assert held.wait(timeout=WAIT), "A never got to hold its transaction open"
        assert_waits_for_a_lock(waits_on)
        assert not b_done.is_set(), "B must wait for A's lock, not read stale rows"
    finally:
        may_commit.set()
        for thread in threads:
            thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a competitor never finished"
    return results.get("a"), results.get("b")
