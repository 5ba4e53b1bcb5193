"""Loaded only by the Celery processes that tests/test_embedded_worker.py starts (never in the
test process): the project's app with a slow payment provider to kill a worker at, short waits
and a beat with a short schedule.

    celery -A tests.worker_probes worker    # AGORA_PROBE_DIR set: refunds block
    celery -A tests.worker_probes beat      # the real jobs, every second

The app is `config.celery`'s own; `-A` (not `-I`) because the worker reads `worker_lost_wait`
before it imports `-I` modules.
"""

import os
import time
from pathlib import Path
from typing import Any

import django
from django.conf import settings

from config.celery import app

__all__ = ["app"]

PROBE_DIR = os.environ.get("AGORA_PROBE_DIR")


def _slow_refunds(probe: Path) -> None:
    django.setup()  # the worker has set Django up by now; beat has not
    from apps.payments.gateways import DummyGateway

    refund_at_provider = DummyGateway.refund

    def refund(self: DummyGateway, **kwargs: Any) -> Any:
        done = refund_at_provider(self, **kwargs)  # the provider refunds...
        with (probe / "attempts").open("a") as attempts:
            attempts.write(f"{os.getpid()}\n")
        while not (probe / "release").exists():  # ...and answers late: the test kills us here
            time.sleep(0.1)
        return done

    DummyGateway.refund = refund  # type: ignore[method-assign]


if PROBE_DIR:
    _slow_refunds(Path(PROBE_DIR))

# The same code paths with shorter waits than production's defaults: the worker looks at the
# broker folder every 0.1 s (not every second), and gives up on the result of a killed pool
# process's job after 1 s (not 10 s) before it requeues the job.
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "polling_interval": 0.1,
}
app.conf.worker_lost_wait = 1.0

# beat sends the jobs of settings every second instead of every minute or hour
app.conf.beat_schedule = {
    name: {**job, "schedule": 1.0} for name, job in settings.CELERY_BEAT_SCHEDULE.items()
}
