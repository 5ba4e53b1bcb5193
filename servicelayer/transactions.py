"""Who owns the current transaction: lets a caller run an atomic service inside its own
transaction without the savepoint a nested `atomic()` would add (two round trips)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_joined: ContextVar[bool] = ContextVar("servicelayer_joined_transaction", default=False)


@contextmanager
def joined_transaction() -> Iterator[None]:
    """One transaction that atomic services run in directly. If anything inside raises, the
    whole transaction rolls back: callers must not catch a service error and go on inside it."""
    with transaction.atomic():
        token = _joined.set(True)
        try:
            yield
        finally:
            _joined.reset(token)


@contextmanager
def service_transaction() -> Iterator[None]:
    """The transaction of an atomic service: its own, or the caller's joined one."""
    if _joined.get():
        token = _joined.set(False)  # a service called from inside this one nests normally
        try:
            yield
        finally:
            _joined.reset(token)
    else:
        with transaction.atomic():
            yield
