import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.contrib.auth.models import User
from django.db import transaction

logger = logging.getLogger(__name__)


@pytest.fixture
def customer(make_user: Callable[..., User]) -> User:
    return make_user("alice", email="alice@example.com")


def run_on_commit_callbacks() -> None:
    """Run what is waiting for a commit, as a commit would, including what those callbacks
    register in turn, and empty the list as a commit does. (pytest-django's capture runs the
    callbacks but leaves them listed, and the relay, once enqueued, is not enqueued again by a
    transaction that finds it listed still.)"""
    connection = transaction.get_connection()
    while connection.run_on_commit:
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _, callback, robust in pending:
            try:
                callback()
            except Exception:
                if not robust:
                    raise
                logger.exception("on_commit callback failed")


@pytest.fixture
def relayed(db: None) -> Callable[[], AbstractContextManager[None]]:
    """`with relayed(): ...`: then what the block (and anything before it) committed runs on
    as after a real commit: the relay, the mail tasks it enqueues, and what those enqueue."""

    @contextmanager
    def relayed() -> Iterator[None]:
        yield
        run_on_commit_callbacks()

    return relayed
