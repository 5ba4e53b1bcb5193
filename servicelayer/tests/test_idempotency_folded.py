"""The folded claim on PostgreSQL: claim, work and stored response in one transaction, a
concurrent duplicate told 409 at once (never waiting), nothing committed before the work."""

import threading
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicelayer import idempotency
from servicelayer.errors import Conflict
from servicelayer.idempotency import (
    IdempotentRequestInProgress,
    StoredResponse,
    request_fingerprint,
    run_once,
)
from servicelayer.models import IdempotencyRecord
from tests.races import WAIT

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="the folded claim takes PostgreSQL's advisory locks: set DATABASE_URL",
)

FINGERPRINT = request_fingerprint("POST", "/things/", {"a": 1})


def once(user_id: int, work: Any, key: str = "k1") -> StoredResponse:
    return run_once(
        user_id=user_id,
        key=key,
        fingerprint=FINGERPRINT,
        atomic=True,
        work=work,
        error_status=lambda e: 409,
    )


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_is_told_409_at_once_while_the_first_works_then_gets_its_answer() -> None:
    user = User.objects.create(username="kim")
    working, may_finish = threading.Event(), threading.Event()
    first: dict[str, Any] = {}

    def slow_work() -> tuple[int, Any]:
        IdempotencyRecord.objects.count()  # a statement inside the key's transaction
        working.set()
        assert may_finish.wait(WAIT)
        return 201, {"id": 1}

    def run_first() -> None:
        try:
            first["stored"] = once(user.pk, slow_work)
        finally:
            connection.close()

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert working.wait(WAIT)
        # nothing is committed before the work: no in-progress row a reader could see
        assert not IdempotencyRecord.objects.exists()
        with pytest.raises(IdempotentRequestInProgress):  # at once: the test would hang else
            once(user.pk, lambda: (201, {"id": 2}))
    finally:
        may_finish.set()
        thread.join(WAIT)
    assert first["stored"] == StoredResponse(201, {"id": 1}, replayed=False)
    replay = once(user.pk, lambda: (201, {"id": 3}))
    assert replay == StoredResponse(201, {"id": 1}, replayed=True)


@pytest.mark.django_db
def test_the_work_and_its_response_cost_one_transaction_and_two_statements() -> None:
    user = User.objects.create(username="kim")
    with CaptureQueriesContext(connection) as queries:
        once(user.pk, lambda: (201, {"id": 1}))
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 2, statements  # the lock with the look-up, the stored response
    assert "pg_try_advisory_xact_lock" in statements[0]
    assert statements[1].startswith("INSERT")


@pytest.mark.django_db
def test_a_record_committed_after_the_first_snapshot_is_replayed_and_the_work_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unique index is the backstop: a response committed after the look-up's snapshot
    (made here by hiding it from the look-up) fails the final insert, the work rolls back,
    and that response is the answer."""
    user = User.objects.create(username="kim")
    once(user.pk, lambda: (201, {"id": 1}))
    monkeypatch.setattr(idempotency, "_existing", lambda *args: None)

    def work() -> tuple[int, Any]:
        User.objects.create(username="made-twice")
        return 201, {"id": 2}

    assert once(user.pk, work) == StoredResponse(201, {"id": 1}, replayed=True)
    assert not User.objects.filter(username="made-twice").exists()


@pytest.mark.django_db
def test_a_final_error_is_stored_after_the_work_rolled_back() -> None:
    user = User.objects.create(username="kim")

    def work() -> tuple[int, Any]:
        User.objects.create(username="half-done")
        raise Conflict("no")

    with pytest.raises(Conflict):
        once(user.pk, work)
    assert not User.objects.filter(username="half-done").exists()
    replay = once(user.pk, lambda: (201, {}))
    assert (replay.status, replay.body["error"]["code"], replay.replayed) == (409, "conflict", True)


@pytest.mark.django_db
def test_a_final_error_is_stored_under_the_same_lock_as_the_work_ran() -> None:
    """No moment between the work's rollback and its stored 4xx is free of the key's lock: the
    work is undone to a savepoint and the error stored in the same transaction (a second
    claim of the lock, after a rollback, would let a duplicate run the work in between)."""
    user = User.objects.create(username="kim")

    def work() -> tuple[int, Any]:
        User.objects.create(username="half-done")
        raise Conflict("no")

    with CaptureQueriesContext(connection) as queries, pytest.raises(Conflict):
        once(user.pk, work)
    statements = [q["sql"] for q in queries]
    assert sum("advisory" in sql for sql in statements) == 1  # the one try-lock
    undone = next(i for i, sql in enumerate(statements) if sql.startswith("ROLLBACK TO"))
    stored = next(i for i, sql in enumerate(statements) if "idempotencyrecord" in sql.lower()
                  and sql.startswith("INSERT"))  # fmt: skip
    assert undone < stored
    assert not any(sql.startswith(("COMMIT", "BEGIN")) for sql in statements[undone:stored])
    assert not User.objects.filter(username="half-done").exists()
