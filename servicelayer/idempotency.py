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
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
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


def purge_expired() -> int:
    """Delete expired keys; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
