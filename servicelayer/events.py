"""Events and the outbox: a change writes its event in its own transaction; a relay publishes.

    events.record("order.paid", subject="order", subject_id=order.pk, owner=order.owner_id,
                  payload={"payment_id": payment.pk, "amount": payment.amount})

`record` is called inside the transaction of the change it tells of (it refuses to run outside
one), so the event commits with the change or not at all. Once that transaction commits, the
relay (`event_relay`, a task) publishes every event not yet published: it runs the handlers
registered for each event's kind and marks the event `published_at`. A periodic run of the same
job (the sweep) publishes what a crash left: an event committed is never lost.

Handlers register in the `ready()` of the app that owns them:

    @events.handler("order.paid", name="receipt_mail")
    def send_receipt(event: events.EventData) -> None: ...

Delivery is at least once, deduplicated per (event, handler): a handler runs in a savepoint of
the relay's transaction, and its `EventDelivery` row is inserted in that same savepoint, so the
handler's own database writes commit together with the record that it ran. A relay run twice,
two relays at once, or a relay redelivered after a crash never runs a handler whose delivery
committed. The one window left is an outside effect (a mail, a webhook) made by a handler whose
transaction then never commits (the process dies first): it is made again on redelivery. Such a
handler passes `event.id` along as its idempotency key (a webhook's delivery id, a mail's
Message-ID) so that the receiving side can drop the repeat; that is the honest guarantee.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from pydantic import Field

from servicelayer import jsonutil, transactions
from servicelayer.dto import DTO, Output
from servicelayer.models import Event, EventDelivery
from servicelayer.pagination import Page, keyset_page
from servicelayer.registry import service, spec_of
from servicelayer.roles import SYSTEM

logger = logging.getLogger(__name__)

BATCH = 10  # events per relay transaction: a crash re-runs the handlers of one batch at most
MAX_BATCHES_PER_RUN = 100  # then the run hands over to a new task, so a backlog cannot hog it
MAX_ERROR = 500
RELAY_CACHE = "default"  # where the pending flag lives (see _enqueue_relay)


# --- what handlers see --------------------------------------------------------------------


@dataclass(frozen=True)
class EventData:
    """An event as a handler receives it: plain data, the id its idempotency key."""

    id: int
    kind: str
    subject: str
    subject_id: int
    owner_id: int | None
    payload: dict[str, Any]
    created_at: datetime


Handler = Callable[[EventData], None]


class Handlers:
    """Handlers by event kind, each under a name unique for its kind (the delivery's key)."""

    def __init__(self) -> None:
        self._by_kind: dict[str, dict[str, Handler]] = {}

    def register(self, kind: str, name: str, func: Handler) -> None:
        named = self._by_kind.setdefault(kind, {})
        if name in named and named[name] is not func:
            raise ValueError(f"A handler named {name!r} is registered for {kind!r} already.")
        named[name] = func

    def unregister(self, kind: str, name: str) -> None:
        self._by_kind.get(kind, {}).pop(name, None)

    def of(self, kind: str) -> dict[str, Handler]:
        return dict(self._by_kind.get(kind, {}))


handlers = Handlers()


def handler(kind: str, *, name: str) -> Callable[[Handler], Handler]:
    """Register a function as a handler of one kind of event (call it in AppConfig.ready)."""

    def register(func: Handler) -> Handler:
        handlers.register(kind, name, func)
        return func

    return register


# --- writing events -----------------------------------------------------------------------


def record(
    kind: str,
    *,
    subject: str,
    subject_id: int,
    owner: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Write an event about `subject` `subject_id` (whose owner is the user id `owner`) in the
    current transaction, and have the relay publish it once that commits; its id.

    `payload` is small and plain (ids, statuses, amounts), stored as JSON would carry it:
    Decimals as strings. Outside a transaction this is a RuntimeError: an event written apart
    from its change could tell of a change that was rolled back, or be lost after one that
    committed."""
    if not transactions.caller_transaction_open():
        raise RuntimeError(
            f"Record the event {kind!r} inside the transaction of the change it tells of."
        )
    event = Event.objects.create(
        kind=kind,
        subject=subject,
        subject_id=subject_id,
        owner_id=owner,
        payload=jsonutil.to_jsonable(payload or {}),
    )
    _relay_on_commit()
    return event.pk


def _relay_on_commit() -> None:
    """Enqueue the relay once the transaction commits, once however many events it wrote.

    A callback registered in a savepoint that rolls back is dropped with it, so the check looks
    at the callbacks still pending rather than keeping a flag of its own."""
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _enqueue_relay for _, callback, _ in pending):
        transaction.on_commit(_enqueue_relay, robust=True)


def _enqueue_relay() -> None:
    """Have a relay task publish what has committed: publish one, unless one is pending.

    Pending: queued and not yet started. Each commit that writes events calls this (a kombu
    publish costs a request more CPU than the flag's one cache operation, and each task is a
    relay run in the worker), so while a task is pending, further commits publish none: the
    first to `add` the flag publishes, and the task clears it before it reads any event.

    Why no event is left behind: this runs after the event's commit. If `add` finds the flag,
    a task had been published and had not cleared it yet when this ran, so it clears it
    later, after this commit, and reads events in transactions that begin after the clear:
    it sees this event. If the task cleared it before this `add`, the `add` succeeds and this
    commit publishes a task of its own. The flag outlives a lost task by RELAY_PENDING_SECONDS
    at most (the sweep runs meanwhile); when its store fails, or the publish does, the flag
    is not trusted: a publish it is, as without coalescing."""
    from servicelayer.tasks import enqueue  # the task module imports Celery: only when sending

    seconds = _pending_seconds()
    flag = _flag_pending(seconds) if seconds else None
    if flag is None:
        enqueue(event_relay)  # after the commit: enqueue sends at once
    elif flag:
        transaction.on_commit(_publish_flagged, robust=True)  # at once, as enqueue's


def _publish_flagged() -> None:
    """Publish the relay task whose pending flag this process set; clear the flag if the
    publish fails, so that the next commit publishes rather than trusting a task never sent
    (the failure itself is logged by on_commit's robust)."""
    from servicelayer.tasks import run_service

    try:
        run_service.delay(spec_of(event_relay).name, None, actor_id=None)
    except BaseException:
        _clear_pending()
        raise


RELAY_PENDING_KEY = "servicelayer:event-relay-pending"


def _pending_seconds() -> int:
    """How long the pending flag lives; 0: no coalescing (every commit publishes).

    The flag must be in a store that the web processes and the workers share (Redis): in a
    per-process cache the worker's clear would never reach the process that set it."""
    return int(getattr(settings, "AGORA_RELAY_PENDING_SECONDS", 0))


def _flag_pending(seconds: int) -> bool | None:
    """Set the flag if it was not set: True if this call set it (publish), False if a task
    is pending (do not), None if the store failed (publish)."""
    try:
        return bool(caches[RELAY_CACHE].add(RELAY_PENDING_KEY, 1, seconds))
    except Exception:
        logger.warning("event relay: the pending flag's store failed; publishing", exc_info=True)
        return None


def _clear_pending() -> None:
    try:
        caches[RELAY_CACHE].delete(RELAY_PENDING_KEY)
    except Exception:  # the flag expires on its own; the sweep covers the meantime
        logger.warning("event relay: could not clear the pending flag", exc_info=True)


# --- reading an event history -------------------------------------------------------------


class EventOut(Output):
    id: int
    kind: str
    created_at: datetime
    payload: dict[str, Any]


class EventQuery(DTO):
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


def history(subject: str, subject_id: int, params: EventQuery) -> Page:
    """The events of one subject, oldest first (the caller has checked the actor may see it)."""
    return keyset_page(
        Event.objects.filter(subject=subject, subject_id=subject_id).values(
            "id", "kind", "created_at", "payload"
        ),
        ordering=("id",),
        size=params.page_size,
        cursor=params.cursor,
    )


# --- the relay ----------------------------------------------------------------------------


class Relayed(Output):
    published: int
    failed: list[int] = Field(description="Events a handler failed on: retried by the sweep.")


@service(role=SYSTEM, outside=True)
def event_relay() -> Relayed:
    """Publish committed events: run each one's handlers, in id order, and mark it published
    (a task after every commit that wrote events, and a periodic sweep for what a crash left).

    Events are taken in batches with their rows locked (skipping those another relay holds),
    and each handler's run is recorded with its own writes, so a handler handles an event once
    however often the relay runs. An event a handler failed on stays unpublished; the handlers
    that succeeded are not run again."""
    if _pending_seconds():
        # before the first read: a commit after this clear publishes a task of its own
        # (_enqueue_relay says why nothing committed before it is missed)
        _clear_pending()
    published, failed = 0, []
    after = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        with transactions.atomic():
            batch = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True, id__gt=after)
                .order_by("id")[:BATCH]
            )
            if not batch:
                break
            done = _deliver(batch)
        published += len(done)
        failed += [event.pk for event in batch if event.pk not in done]
        after = batch[-1].pk
    else:
        _enqueue_relay()  # a backlog: the next run goes on where this one stopped
    return Relayed(published=published, failed=failed)


def _deliver(batch: list[Event]) -> set[int]:
    """Run the handlers of a locked batch of events; the ids of those now published."""
    delivered = set(
        EventDelivery.objects.filter(event__in=batch).values_list("event_id", "handler")
    )
    published: set[int] = set()
    now = timezone.now()
    for event in batch:
        data = EventData(
            id=event.pk,
            kind=event.kind,
            subject=event.subject,
            subject_id=event.subject_id,
            owner_id=event.owner_id,
            payload=event.payload,
            created_at=event.created_at,
        )
        errors = []
        for name, func in handlers.of(event.kind).items():
            if (event.pk, name) in delivered:
                continue
            try:
                with transactions.atomic():  # a savepoint: a failure undoes this handler only
                    func(data)
                    EventDelivery.objects.create(event=event, handler=name)
            except Exception as error:
                logger.exception("event handler failed", extra={"event_id": event.pk})
                errors.append(f"{name}: {type(error).__name__}: {error}")
        if errors:
            Event.objects.filter(pk=event.pk).update(
                attempts=F("attempts") + 1, last_error="; ".join(errors)[:MAX_ERROR]
            )
        else:
            published.add(event.pk)
    Event.objects.filter(pk__in=published).update(published_at=now, attempts=F("attempts") + 1)
    return published
