"""Idempotency keys (the Stripe contract), safe under concurrency.

A request with an `Idempotency-Key` first *claims* the key by inserting an in-progress row in a
transaction of its own (unique on user and key, so exactly one concurrent request wins). Then:

- the same key and the same request, finished: the stored response is replayed, nothing runs;
- the same key and another request (method, path or body differ): 422 `idempotency_key_reused`;
- the same key while the first request still runs: 409 `idempotency_request_in_progress`.

The response is stored in the same transaction as the side effect when the service is atomic,
so a response is stored if and only if the work was committed. A request that fails with a 5xx
releases its claim: nothing happened, and the client may retry with the same key. So does one
that fails with a *transient* error (`ServiceError.transient`, e.g. a 409 saying a payment of
the order is still being processed): that answer is true for now, not final, and a retry with
the same key must be able to get the final one. A claim whose worker died is taken over once
its lease has run out. Keys expire after 24 hours.

Two ways to claim, one contract:

- *folded* (an atomic service on PostgreSQL): claim, work and stored response are one
  transaction. Its first statement takes `pg_try_advisory_xact_lock` on the user and key and
  reads the key's record; a concurrent duplicate fails to take the lock and is told 409 at
  once (an `INSERT ... ON CONFLICT DO NOTHING` claim would wait on the unique index until the
  first transaction ended). The completed record is inserted beside the work, so nothing is
  committed before the work and one commit fewer is paid per request. The work runs in a
  savepoint, so that a final 4xx rolls it back and is stored in the same transaction, under
  the same lock: a duplicate never runs between the two (work that succeeds leaves it to the
  COMMIT, which ends it: no RELEASE). The unique index stays
  the backstop: a record committed between that statement's snapshot and its lock makes the
  final insert fail, the work rolls back, and the committed response is replayed.
- *separate* (a service that calls the outside world, or another database): the in-progress
  row is committed first, as above, so that a request in flight is visible to its duplicates
  while it waits on the outside world.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from servicelayer import jsonutil, transactions
from servicelayer.errors import Conflict, InvalidInput, ServiceError, Unprocessable
from servicelayer.models import IdempotencyRecord

KEY_TTL = timedelta(hours=24)
LEASE = timedelta(minutes=2)  # longer than any service may run, outside calls included
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used for a different request."


class IdempotentRequestInProgress(Conflict):
    code = "idempotency_request_in_progress"
    default_message = "A request with this Idempotency-Key is still being processed."
    transient = True  # raised before any claim, so never stored; marked for what it means


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any
    replayed: bool


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = jsonutil.dumps({"method": method, "path": path, "body": body}, sort_keys=True)
    return hashlib.sha256(canonical).hexdigest()


def validate_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            fields={"Idempotency-Key": [f"Give 1 to {MAX_KEY_LENGTH} printable characters."]}
        )
    return key


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyRecord | StoredResponse:
    now = timezone.now()
    for _ in range(3):  # an expired record is removed, and the key claimed afresh
        try:
            # committed at once, before the work: concurrent requests see the claim
            with transactions.atomic(one_statement=True):
                return IdempotencyRecord.objects.create(
                    user_id=user_id,
                    key=key,
                    request_hash=fingerprint,
                    locked_until=now + LEASE,
                    expires_at=now + KEY_TTL,
                )
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if record is None:
            continue
        if record.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=record.pk, expires_at__lte=now).delete()
            continue
        if record.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        if record.status == IdempotencyRecord.Status.COMPLETED:
            assert record.response_status is not None
            return StoredResponse(record.response_status, record.response_body, replayed=True)
        lease_ran_out = record.locked_until is not None and record.locked_until < now
        taken_over = lease_ran_out and IdempotencyRecord.objects.filter(
            pk=record.pk,
            status=IdempotencyRecord.Status.IN_PROGRESS,
            locked_until=record.locked_until,
        ).update(locked_until=now + LEASE)
        if taken_over:
            return record
        raise IdempotentRequestInProgress()
    raise IdempotentRequestInProgress()


def _store(record: IdempotencyRecord, status: int, body: Any) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status=IdempotencyRecord.Status.COMPLETED,
        response_status=status,
        response_body=body,
        locked_until=None,
    )


def run_once(
    *,
    user_id: int,
    key: str,
    fingerprint: str,
    atomic: bool,
    work: Callable[[], tuple[int, Any]],
    error_status: Callable[[ServiceError], int],
) -> StoredResponse:
    """Run `work` (returning status and JSON-safe body) at most once for this user and key."""
    if atomic and connection.vendor == "postgresql":
        return _run_folded(user_id, key, fingerprint, work, error_status)
    claimed = _claim(user_id, key, fingerprint)
    if isinstance(claimed, StoredResponse):
        return claimed
    try:
        if atomic:
            # the service joins this transaction (no savepoint): stored iff its work commits
            with transactions.atomic(joinable=True):
                status, body = work()
                _store(claimed, status, body)
        else:
            status, body = work()
            _store(claimed, status, body)
    except ServiceError as exc:
        status = error_status(exc)
        if status >= 500 or exc.transient:
            claimed.delete()
            raise
        _store(claimed, status, jsonutil.to_jsonable(exc.as_body()))
        raise
    except BaseException:
        claimed.delete()
        raise
    return StoredResponse(status, body, replayed=False)


def _lock_id(user_id: int, key: str) -> int:
    """The advisory lock's 64-bit id for this user's key (a collision costs a false 409)."""
    digest = hashlib.sha256(f"idempotency:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_table = IdempotencyRecord._meta.db_table
# One statement: the lock, and the key's record if there is one.
_LOCK_AND_FIND = (
    "SELECT pg_try_advisory_xact_lock(%s), r.id, r.request_hash, r.status, r.response_status, "
    f"r.response_body, r.locked_until, r.expires_at FROM (SELECT 1) AS one LEFT JOIN {_table} r "
    "ON r.user_id = %s AND r.key = %s"
)


def _existing(row: tuple[Any, ...], fingerprint: str, now: datetime) -> StoredResponse | None:
    """What the key's record (id, hash, status, response status and body, lease, expiry) says:
    a response to replay; None when the key is free (no record, an expired one, a claim whose
    lease ran out: removed in the caller's transaction); raises when another request holds it
    or it was used for another request."""
    record_id, request_hash, status, response_status, body, locked_until, expires_at = row
    if record_id is None:
        return None
    if expires_at <= now or (
        status == IdempotencyRecord.Status.IN_PROGRESS
        and locked_until is not None
        and locked_until < now
    ):
        IdempotencyRecord.objects.filter(pk=record_id).delete()
        return None
    if request_hash != fingerprint:
        raise IdempotencyKeyReused()
    if status == IdempotencyRecord.Status.COMPLETED:
        if isinstance(body, str):  # a raw jsonb column reads as text
            body = orjson.loads(body)
        return StoredResponse(response_status, body, replayed=True)
    raise IdempotentRequestInProgress()


def _completed(user_id: int, key: str, fingerprint: str, status: int, body: Any) -> None:
    now = timezone.now()
    IdempotencyRecord.objects.create(
        user_id=user_id,
        key=key,
        request_hash=fingerprint,
        status=IdempotencyRecord.Status.COMPLETED,
        response_status=status,
        response_body=body,
        locked_until=None,
        expires_at=now + KEY_TTL,
    )


def _run_folded(
    user_id: int,
    key: str,
    fingerprint: str,
    work: Callable[[], tuple[int, Any]],
    error_status: Callable[[ServiceError], int],
) -> StoredResponse:
    lock = _lock_id(user_id, key)
    final_error: ServiceError | None = None  # the work's 4xx: the key's answer, raised after
    try:
        # the service joins this transaction: stored iff its work commits
        with transactions.atomic(joinable=True):
            with connection.cursor() as cursor:
                cursor.execute(_LOCK_AND_FIND, [lock, user_id, key])
                locked, *record = cursor.fetchone()
            if not locked:
                raise IdempotentRequestInProgress()
            found = _existing(tuple(record), fingerprint, timezone.now())
            if isinstance(found, StoredResponse):
                return found
            # the work in a savepoint, so that a final 4xx undoes it and is stored while the
            # key's lock is still held: no duplicate can run between the two
            work_done = transaction.savepoint()
            try:
                status, body = work()
            except ServiceError as exc:
                status = error_status(exc)
                if status >= 500 or exc.transient:
                    raise  # nothing is stored: a retry with the key may run
                transaction.savepoint_rollback(work_done)
                body = jsonutil.to_jsonable(exc.as_body())
                final_error = exc
            # done, the savepoint is left open, not released: the COMMIT ends it with the
            # transaction (a RELEASE would be one more round trip for nothing)
            _completed(user_id, key, fingerprint, status, body)
    except IntegrityError:
        # a record was committed after this transaction's first snapshot: the work rolled
        # back, and the key's answer is that record's (an error of the work itself is raised)
        committed = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if committed is None:
            raise
        if committed.request_hash != fingerprint:
            raise IdempotencyKeyReused() from None
        if committed.status != IdempotencyRecord.Status.COMPLETED:
            raise IdempotentRequestInProgress() from None
        assert committed.response_status is not None
        return StoredResponse(committed.response_status, committed.response_body, replayed=True)
    if final_error is not None:
        raise final_error
    return StoredResponse(status, body, replayed=False)


def purge_expired() -> int:
    """Delete expired keys; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
