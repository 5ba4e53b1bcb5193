"""The toolkit's own services: housekeeping jobs that any project gets."""

from servicelayer.actors import Access, Actor
from servicelayer.dto import Output
from servicelayer.idempotency import purge_expired
from servicelayer.registry import service

JOBS = Actor("system", Access.SYSTEM, "Scheduled jobs and operators at the command line.")


class Purged(Output):
    deleted: int


@service(actor=JOBS)
def idempotency_keys_purge() -> Purged:
    """Delete idempotency keys older than 24 hours (a periodic job)."""
    return Purged(deleted=purge_expired())
