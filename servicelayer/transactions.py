"""The one way the toolkit opens a transaction: `atomic()`.

An atomic service runs in `atomic()` (the registry's wrapper). The idempotency layer opens
`atomic(joinable=True)` and runs the service in it, so that the service and the stored
response commit together; the service's own `atomic()` then *joins* that transaction instead
of opening a savepoint inside it (a savepoint is two more round trips: `make bench` measures
them, docs/performance.md). Only the first `atomic()` inside a joinable one joins: a service
called from inside that one nests normally, in a savepoint.

Services that call the outside world run in no transaction at all (servicelayer.outside);
`caller_transaction_open` tells them whether a caller has opened one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_joinable: ContextVar[bool] = ContextVar("servicelayer_joinable_transaction", default=False)


def caller_transaction_open() -> bool:
    """Whether code runs inside a transaction that some caller opened. A test case's own
    transaction (pytest-django's `db`, Django's TestCase) does not count, as for Django's
    `atomic(durable=True)`: the code under test runs as it would in production."""
    blocks = transaction.get_connection().atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


@contextmanager
def atomic(*, joinable: bool = False, one_statement: bool = False) -> Iterator[None]:
    """Run the block atomically:

    - as the first block inside an `atomic(joinable=True)`: in that transaction, with no
      savepoint (whoever opened it said that a failure here rolls all of it back, so it must
      not catch the error and go on);
    - outside any transaction: in a transaction of its own;
    - inside another transaction: in a savepoint, so that a failure undoes this block only.

    `joinable=True`: the first `atomic()` inside joins this one. `one_statement=True`: the
    block is a single statement, which in autocommit is a transaction of its own already (one
    round trip, not BEGIN, the statement, COMMIT); inside a transaction it still gets its
    savepoint, so that its failure (a unique conflict) leaves the caller's transaction usable.
    """
    if joinable and one_statement:
        raise ValueError("One statement leaves nothing to join.")
    if _joinable.get():
        token = _joinable.set(joinable)  # blocks inside this one nest normally
        try:
            yield
        finally:
            _joinable.reset(token)
        return
    if one_statement and not transaction.get_connection().in_atomic_block:
        yield
        return
    with transaction.atomic():
        token = _joinable.set(joinable)
        try:
            yield
        finally:
            _joinable.reset(token)
