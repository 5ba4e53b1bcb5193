"""Idempotency keys: replay, reuse with another request, in-flight, release, expiry, scope."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from servicelayer.errors import Conflict, InvalidInput, Unavailable
from servicelayer.idempotency import (
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    purge_expired,
    request_fingerprint,
    run_once,
    validate_key,
)
from servicelayer.models import IdempotencyRecord


class StillRunning(Conflict):
    """A conflict with something in flight: it may be over by the next try."""

    code = "still_running"
    transient = True


STATUS = {Conflict: 409, StillRunning: 409, Unavailable: 503}


@pytest.fixture
def user(db):
    return User.objects.create(username="kim")


def runner(user, key="k1", body=None, *, result=(201, {"id": 1}), fail=None, calls=None):
    calls = calls if calls is not None else []

    def work():
        calls.append(1)
        if fail is not None:
            raise fail
        return result

    return run_once(
        user_id=user.pk,
        key=key,
        fingerprint=request_fingerprint("POST", "/things/", body or {"a": 1}),
        atomic=True,
        work=work,
        error_status=lambda e: STATUS[type(e)],
    ), calls


def claimed_by_another_worker(user, *, lease_left: timedelta) -> None:
    """Key k1 of `user`, for runner's default request, claimed by a worker still at it
    (`lease_left` ahead) or one that died (a lease that ran out)."""
    IdempotencyRecord.objects.create(
        user=user,
        key="k1",
        request_hash=request_fingerprint("POST", "/things/", {"a": 1}),
        locked_until=timezone.now() + lease_left,
        expires_at=timezone.now() + timedelta(hours=24),
    )


def test_the_same_key_and_request_replays_the_first_response_without_working_again(user):
    calls: list[int] = []
    first, _ = runner(user, calls=calls)
    second, _ = runner(user, calls=calls, result=(201, {"id": 2}))
    assert (first.status, first.body, first.replayed) == (201, {"id": 1}, False)
    assert (second.status, second.body, second.replayed) == (201, {"id": 1}, True)
    assert len(calls) == 1


def test_the_same_key_with_another_request_is_refused(user):
    runner(user, body={"a": 1})
    with pytest.raises(IdempotencyKeyReused):
        runner(user, body={"a": 2})


def test_a_request_still_in_flight_is_a_conflict(user):
    claimed_by_another_worker(user, lease_left=timedelta(minutes=1))
    with pytest.raises(IdempotentRequestInProgress):
        runner(user)


def test_a_claim_whose_lease_ran_out_is_taken_over(user):
    claimed_by_another_worker(user, lease_left=timedelta(seconds=-1))
    stored, calls = runner(user)
    assert (stored.status, len(calls)) == (201, 1)


def test_a_4xx_is_stored_and_replayed(user):
    with pytest.raises(Conflict):
        runner(user, fail=Conflict("no"))
    replay, calls = runner(user)
    assert (replay.status, replay.body["error"]["code"], replay.replayed) == (409, "conflict", True)
    assert calls == []


def test_a_5xx_releases_the_key_so_the_client_may_retry(user):
    with pytest.raises(Unavailable):
        runner(user, fail=Unavailable())
    stored, calls = runner(user)
    assert (stored.status, stored.replayed, len(calls)) == (201, False, 1)


def test_a_transient_4xx_releases_the_key_so_a_retry_runs_again(user):
    with pytest.raises(StillRunning):
        runner(user, fail=StillRunning())
    assert not IdempotencyRecord.objects.exists()
    stored, calls = runner(user)
    assert (stored.status, stored.replayed, len(calls)) == (201, False, 1)


def test_a_transient_4xx_releases_a_claim_taken_over_after_its_lease(user):
    """The claim of a worker that died is taken over; a retry told "still in flight" must
    not make that the key's answer for good."""
    claimed_by_another_worker(user, lease_left=timedelta(seconds=-1))
    with pytest.raises(StillRunning):
        runner(user, fail=StillRunning())
    assert not IdempotencyRecord.objects.filter(status=IdempotencyRecord.Status.COMPLETED)
    stored, calls = runner(user)  # the next try runs, and its answer is the key's
    assert (stored.status, stored.replayed, len(calls)) == (201, False, 1)


def test_a_request_in_flight_is_a_transient_conflict():
    assert IdempotentRequestInProgress.transient
    assert not Conflict.transient


def test_an_unexpected_error_releases_the_key(user):
    with pytest.raises(ZeroDivisionError):
        runner(user, fail=ZeroDivisionError())
    assert not IdempotencyRecord.objects.exists()


def test_keys_are_per_user(user):
    other = User.objects.create(username="lee")
    runner(user, body={"a": 1})
    stored, calls = runner(other, body={"a": 2})
    assert (stored.replayed, len(calls)) == (False, 1)


def test_keys_expire_after_24_hours(user):
    runner(user, body={"a": 1})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    stored, calls = runner(user, body={"a": 2})  # the old key is forgotten, not "reused"
    assert (stored.replayed, len(calls)) == (False, 1)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_expired() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\there"])
def test_bad_keys_are_invalid(key):
    with pytest.raises(InvalidInput):
        validate_key(key)


def test_the_fingerprint_ignores_key_order_but_not_values():
    assert request_fingerprint("POST", "/a/", {"x": 1, "y": 2}) == request_fingerprint(
        "POST", "/a/", {"y": 2, "x": 1}
    )
    assert request_fingerprint("POST", "/a/", {"x": 1}) != request_fingerprint(
        "POST", "/b/", {"x": 1}
    )


def test_an_atomic_service_runs_in_the_keys_transaction_without_a_savepoint(user):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicelayer.dto import DTO
    from servicelayer.registry import Registry, service
    from servicelayer.roles import Access, Role

    class Name(DTO):
        name: str

    @service(role=Role("job", Access.SYSTEM), atomic=True, into=Registry())
    def group_make(*, data: Name) -> None:
        Group.objects.create(name=data.name)
        if data.name == "bad":
            raise Conflict("no")

    def run(name, key):
        return run_once(
            user_id=user.pk,
            key=key,
            fingerprint=request_fingerprint("POST", "/groups/", {"name": name}),
            atomic=True,
            work=lambda: (group_make(data=Name(name=name)), (201, {}))[1],
            error_status=lambda e: STATUS[type(e)],
        )

    with CaptureQueriesContext(connection) as queries:
        run("good", "a")
    work_sql = [q["sql"] for q in queries if "auth_group" in q["sql"]]
    assert len(work_sql) == 1
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    # inside the test's transaction each transaction is a savepoint: on PostgreSQL the claim
    # is folded into the work's one, with a savepoint around the work (a final 4xx is undone
    # to it and stored under the same lock); elsewhere the claim has its own; none for the
    # service itself
    assert len(savepoints) == 2
    with pytest.raises(Conflict):
        run("bad", "b")
    assert list(Group.objects.values_list("name", flat=True)) == ["good"]  # rolled back whole
    assert IdempotencyRecord.objects.get(key="b").response_status == 409
