"""Loaded only by the Celery processes that tests/test_events_crash.py starts (never in the test
process): a handler to kill a relay at, and a beat that sweeps every second.

    celery -A config worker -I tests.event_probes     # AGORA_EVENT_PROBE_DIR set
    celery -A tests.event_probes beat                 # event_relay every second

The handler of `probe.crashed` writes its effect (a row in `event_probe_effects`, in the relay's
transaction), notes that it ran (`runs`: its pid and the event id, outside any transaction),
then waits for the file `release`: the test kills the pool process there, after the handler
ran and before the event is marked published.
"""

import os
import time
from pathlib import Path

import django
from django.conf import settings

from config.celery import app

__all__ = ["app"]

PROBE_DIR = os.environ.get("AGORA_EVENT_PROBE_DIR")


def _register_probe_handler(probe: Path) -> None:
    django.setup()  # the worker has set Django up by now; beat has not
    from django.db import connection

    from servicelayer import events

    @events.handler("probe.crashed", name="probe_effect")
    def effect(event: events.EventData) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO event_probe_effects (event_id, pid) VALUES (%s, %s)",
                [event.id, os.getpid()],
            )
        with (probe / "runs").open("a") as runs:
            runs.write(f"{os.getpid()} {event.id}\n")
        while not (probe / "release").exists():
            time.sleep(0.1)


if PROBE_DIR:
    _register_probe_handler(Path(PROBE_DIR))

# the sweep every second instead of every 30
app.conf.beat_schedule = {"relay-events": {**settings.CELERY_BEAT_SCHEDULE["relay-events"]}}
app.conf.beat_schedule["relay-events"]["schedule"] = 1.0
