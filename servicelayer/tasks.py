"""Celery delivery: run any registered service by name with a JSON-safe input.

    enqueue(order_expire_unpaid)                     # after the current transaction commits
    enqueue(order_cancel, data=OrderRef(order_id=7), actor_id=3)
    run_service.delay("order_cancel", {"order_id": 7}, actor_id=3)

`enqueue` takes the service itself and its DTO, and puts the service's name and the DTO as JSON
on the wire; the worker validates that input exactly as the API validates it (the one place
where a task's dict becomes a DTO). The result comes back as JSON-safe data. Without a broker
(CELERY_BROKER_URL unset) tasks run in process.
"""

from typing import Any

from celery import shared_task
from django.db import transaction

from servicelayer import jsonutil
from servicelayer.dto import DTO
from servicelayer.registry import Service, registry, spec_of
from servicelayer.users import user_by_id


@shared_task(name="servicelayer.run_service")
def run_service(name: str, data: dict[str, Any] | None = None, actor_id: int | None = None) -> Any:
    spec = registry.get(name)
    actor = user_by_id(actor_id) if actor_id is not None else None
    return jsonutil.to_jsonable(spec.call(actor=actor, data=data))


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
