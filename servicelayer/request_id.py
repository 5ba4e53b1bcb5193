"""One id per request, carried wherever the request's work goes.

The id comes from the client's (or the load balancer's) `X-Request-ID` when it is a sane token,
else it is made here (a uuid4 in hex). It lives in a context variable for the request's
duration, so every log record made meanwhile carries it (servicelayer.logging_setup), the
response returns it, and what the request starts takes it along:

- a Celery task it publishes: `before_task_publish` puts it in the message's headers,
  `task_prerun` sets it in the worker for the task's run, `task_postrun` takes it away again
  (`connect_celery()` connects the three). A task that no request started (beat's jobs) gets
  an id of its own, so the lines of one run still belong together.
- an HTTP call to a third party: `outgoing_headers()` is the header to send.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

HEADER = "X-Request-ID"
# The key in a Celery message's headers (protocol 2: the worker sees it on `task.request`).
TASK_HEADER = "x_request_id"
MAX_LENGTH = 128
# Letters, digits and `-_.:` cover uuids, hex ids and the ids proxies make; anything else
# (spaces, quotes, control characters, a megabyte) could forge or break a log line.
_SANE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """`value` if it is a sane token, else a new id."""
    if value and _SANE.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request (or task) running now, None outside of one."""
    return _current.get()


def bind(request_id: str) -> Token[str | None]:
    """Make `request_id` the current one; give the token to `unbind` to restore the previous."""
    return _current.set(request_id)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def bound(request_id: str) -> Iterator[str]:
    token = bind(request_id)
    try:
        yield request_id
    finally:
        unbind(token)


def outgoing_headers() -> dict[str, str]:
    """The header that tells a third party which of our requests a call belongs to."""
    request_id = current_request_id()
    return {HEADER: request_id} if request_id else {}


# --- Celery -------------------------------------------------------------------------------------

# The token of each running task's binding, by task id, so postrun restores what prerun changed.
_task_tokens: dict[str, Token[str | None]] = {}


def on_before_task_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def _task_header(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        TASK_HEADER
    )
    return value if isinstance(value, str) else None


def on_task_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    # The message's id first; an eager task (run in process, never published) keeps the id of
    # the request that runs it; a task nobody's request started gets its own.
    header = _task_header(task)
    request_id = clean_request_id(header) if header else current_request_id() or new_request_id()
    if task_id is not None:
        _task_tokens[task_id] = bind(request_id)


def on_task_postrun(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is None:
        return
    try:
        unbind(token)
    except ValueError:  # set in another context (a green thread): clear it instead
        _current.set(None)


def connect_celery() -> None:
    """Carry request ids through Celery tasks (call once, where the Celery app is made)."""
    from celery import signals

    signals.before_task_publish.connect(on_before_task_publish, weak=False)
    signals.task_prerun.connect(on_task_prerun, weak=False)
    signals.task_postrun.connect(on_task_postrun, weak=False)
