"""Celery delivery: run any registered service by name with a JSON-safe input.

    enqueue(order_expire_unpaid, data={})            # after the current transaction commits
    run_service.delay("order_cancel", {"order_id": 7}, actor_id=3)

The DTO is validated in the worker exactly as the API validates it; the result comes back as
JSON-safe data. Without a broker (CELERY_BROKER_URL unset) tasks run in process.
"""

from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import transaction

from servicelayer import jsonutil
from servicelayer.registry import registry, spec_of
from servicelayer.users import user_by_id


@shared_task(name="servicelayer.run_service")
def run_service(name: str, data: dict[str, Any] | None = None, actor_id: int | None = None) -> Any:
    spec = registry.get(name)
    actor = user_by_id(actor_id) if actor_id is not None else None
    return jsonutil.to_jsonable(spec.call(actor=actor, data=data))


def enqueue(
    service: Callable[..., Any] | str, *, data: Any = None, actor_id: int | None = None
) -> None:
    """Schedule a service (or a service's name) as a task once the surrounding transaction
    commits (never before: a rolled-back transaction must not leave a task behind). A task
    that fails is logged, never raised into the code that committed."""
    name = service if isinstance(service, str) else spec_of(service).name
    payload = jsonutil.to_jsonable(data) if data is not None else None
    transaction.on_commit(lambda: run_service.delay(name, payload, actor_id=actor_id), robust=True)
