"""The toolkit's own services: housekeeping jobs that any project gets."""

from servicelayer import events  # noqa: F401  (registers event_relay)
from servicelayer.dto import Output
from servicelayer.idempotency import purge_expired
from servicelayer.registry import service
from servicelayer.roles import SYSTEM


class Purged(Output):
    deleted: int


@service(role=SYSTEM, atomic=True)
def idempotency_keys_purge() -> Purged:
    """Delete idempotency keys older than 24 hours (a periodic job)."""
    return Purged(deleted=purge_expired())
