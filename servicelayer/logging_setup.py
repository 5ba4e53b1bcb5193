"""Logging: every record carries the current request id; JSON lines or human-readable text.

`configure` is Django's LOGGING_CONFIG: it installs a log record factory that stamps each
record with `request_id` (the id of the request or task running now, `-` outside of one), then
applies the LOGGING dict. A factory rather than a handler filter, so every handler sees the
field, pytest's caplog and third-party handlers included.

`JsonFormatter` writes one JSON object a line (python-json-logger on orjson): `timestamp`
(UTC, ISO 8601), `level`, `logger`, `message`, `request_id`, then whatever the call passed
as `extra` (the access log's `method`, `path`, `status`, `duration_ms`, `user_id`) and a
formatted `exc_info` when there is one.
"""

import logging
import logging.config
from typing import Any

from pythonjsonlogger.orjson import OrjsonFormatter

from servicelayer import request_id

NO_REQUEST = "-"


def _stamped(factory: Any) -> Any:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        record.request_id = request_id.current_request_id() or NO_REQUEST
        return record

    make_record.stamps_request_id = True  # type: ignore[attr-defined]
    return make_record


def install_record_factory() -> None:
    """Stamp every log record with the request id (once, however often logging is set up)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "stamps_request_id", False):
        logging.setLogRecordFactory(_stamped(factory))


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: the record factory, then the LOGGING dict."""
    install_record_factory()
    logging.config.dictConfig(config)


class RequestIdOfRequest(logging.Filter):
    """Django logs a 4xx or 5xx answer (`django.request`) after the middleware returned, when
    the id is no longer current: take it from the request the record names."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", NO_REQUEST) == NO_REQUEST:
            request = getattr(record, "request", None)
            known = getattr(request, "request_id", None)
            if isinstance(known, str):
                record.request_id = known
        return True


class JsonFormatter(OrjsonFormatter):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(**kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # the time first, as a reader scans lines
        return {"timestamp": log_data.pop("timestamp", None), **log_data}


def connect_celery() -> None:
    """In a Celery worker: log as the web process does (Celery leaves the root logger and the
    LOGGING dict alone), and carry request ids into tasks."""
    from celery import signals

    signals.setup_logging.connect(_keep_django_logging, weak=False)
    request_id.connect_celery()


def _keep_django_logging(**_: Any) -> None:
    # A receiver of `setup_logging` tells Celery not to configure logging itself; this one
    # applies the project's LOGGING (the worker's `-l` level is not used: LOG_LEVEL is).
    from django.conf import settings

    configure(settings.LOGGING)
