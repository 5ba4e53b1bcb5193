"""A ledger of Celery task messages, for the scale-out battery: who published each, who ran it.

Off unless AGORA_TASK_LEDGER names a file; then every process of the stack that imports this
module appends one JSON line per event to it:

- `published` (the web, beat): a task message left for the broker, with its id;
- `tick` (beat, through `LedgerScheduler`): a schedule entry came due and was sent, with its
  entry name and the message id;
- `run` (a worker's pool process): a task is about to run, with its id and the worker's name.

So a test can show that each message was run once, by one of the workers, and that one beat
sent each tick. Each line is one `write` on a file opened with O_APPEND, so the processes'
lines do not interleave.

    celery -A config worker -I ops.task_ledger ...
    celery -A config beat -S ops.task_ledger:LedgerScheduler ...

AGORA_BEAT_PROBE_SECONDS adds a harmless system job (token_purge_expired) to beat's schedule
at that interval, so that a short run sees many ticks.
"""

import json
import os
from typing import Any

from celery import signals
from celery.beat import PersistentScheduler

PROBE_ENTRY = "ledger-probe"


def record(event: str, **fields: Any) -> None:
    path = os.environ.get("AGORA_TASK_LEDGER", "")
    if not path:
        return
    line = json.dumps({"event": event, "pid": os.getpid(), **fields}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


@signals.after_task_publish.connect
def _published(sender: str | None = None, headers: dict[str, Any] | None = None, **_: Any) -> None:
    record("published", id=(headers or {}).get("id"), task=sender)


@signals.task_prerun.connect
def _ran(task_id: str | None = None, task: Any = None, args: Any = None, **_: Any) -> None:
    record(
        "run",
        id=task_id,
        task=getattr(task, "name", None),
        args=list(args or []),
        worker=getattr(getattr(task, "request", None), "hostname", None),
    )


class LedgerScheduler(PersistentScheduler):
    """beat's usual scheduler, which also writes each tick in the ledger (and adds the probe)."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        seconds = float(os.environ.get("AGORA_BEAT_PROBE_SECONDS", "0") or 0)
        if seconds > 0:
            probe = {
                "task": "servicelayer.run_service",
                "schedule": seconds,
                "args": ["token_purge_expired"],
            }
            self.merge_inplace({**self.app.conf.beat_schedule, PROBE_ENTRY: probe})

    def apply_async(
        self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any
    ) -> Any:
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        if result is not None:
            record("tick", entry=entry.name, id=result.id)
        return result
