"""Celery delivery: run any registered service by name with a JSON-safe input.

    enqueue(order_expire_unpaid)                     # after the current transaction commits
    enqueue(order_cancel, data=OrderRef(order_id=7), actor_id=3)
    run_service.delay("order_cancel", {"order_id": 7}, actor_id=3)

`enqueue` takes the service itself and its DTO, and puts the service's name and the DTO as JSON
on the wire; the worker validates that input exactly as the API validates it (the one place
where a task's dict becomes a DTO). The result comes back as JSON-safe data. Without a broker
(CELERY_BROKER_URL unset) tasks run in process.

A task is acknowledged once it is done (settings: acks_late, reject_on_worker_lost), so one
whose worker process died runs again: the services sent as tasks are idempotent. A system
service (a job, or a job's follow-up such as a refund) that finds its dependency unavailable,
or loses its database connection, is retried with exponential backoff; the periodic job that
covers it picks up whatever the retries leave. A user's service is never retried here: its
503 may be an answer (nothing was charged) that retrying would overturn.
"""

import random
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, transaction

from servicelayer import jsonutil
from servicelayer.dto import DTO
from servicelayer.errors import Unavailable
from servicelayer.registry import Service, registry, spec_of
from servicelayer.roles import Access
from servicelayer.users import user_by_id

MAX_RETRIES = 5
RETRY_BACKOFF_SECONDS = 10  # then 20, 40, ... up to RETRY_BACKOFF_MAX_SECONDS, jittered
RETRY_BACKOFF_MAX_SECONDS = 300
RETRIED = (Unavailable, OperationalError, InterfaceError)


@shared_task(name="servicelayer.run_service", bind=True, max_retries=MAX_RETRIES)
def run_service(
    self: Task, name: str, data: dict[str, Any] | None = None, actor_id: int | None = None
) -> Any:
    spec = registry.get(name)
    actor = user_by_id(actor_id) if actor_id is not None else None
    try:
        return jsonutil.to_jsonable(spec.call(actor=actor, data=data))
    except RETRIED as exc:
        # in process, the caller sees the error now and the periodic job covers the rest
        if spec.role.access is not Access.SYSTEM or self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


def retry_delay(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling up to a cap, jittered so that tasks
    that failed together do not come back together."""
    ceiling = min(RETRY_BACKOFF_MAX_SECONDS, RETRY_BACKOFF_SECONDS * 2**retries)
    return random.uniform(ceiling / 2, ceiling)


def enqueue(
    service: Service[..., Any], *, data: DTO | None = None, actor_id: int | None = None
) -> None:
    """Schedule a service as a task once the surrounding transaction commits (never before: a
    rolled-back transaction must not leave a task behind). A task that fails is logged, never
    raised into the code that committed. The input must be the service's own DTO (a TypeError
    here, at the call site, rather than a failed task later)."""
    spec = spec_of(service)
    name = spec.name
    if spec.dto is None and data is not None:
        raise TypeError(f"{name} takes no input.")
    if spec.dto is not None and not isinstance(data, spec.dto):
        raise TypeError(f"{name} takes a {spec.dto.__name__}, not {type(data).__name__}.")
    payload = jsonutil.to_jsonable(data) if data is not None else None
    transaction.on_commit(lambda: run_service.delay(name, payload, actor_id=actor_id), robust=True)
