"""One id per request: taken or made, returned, on every log line, carried into tasks and
supplier calls; one access line per request, and a warning for a slow one."""

import json
import logging
import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from celery import Celery
from celery._state import _set_task_join_will_block, current_app
from django.test import Client

from apps.bookings.gateways import BookingRequest, HttpSupplierGateway
from servicelayer import logging_middleware, request_id
from servicelayer.logging_setup import JsonFormatter
from servicelayer.request_id import (
    TASK_HEADER,
    bound,
    current_request_id,
    on_before_task_publish,
    on_task_postrun,
    on_task_prerun,
)

pytestmark = pytest.mark.django_db

MADE = re.compile(r"[0-9a-f]{32}")


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "servicelayer.access"]


# --- the id of a request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "Root:1.a_b", "x" * 128]
)
def test_a_sane_request_id_is_echoed(client: Client, given: str) -> None:
    response = client.get("/health/live", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given


def test_without_a_request_id_one_is_made(client: Client) -> None:
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert MADE.fullmatch(first)
    assert MADE.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "bad",
    ["", "two words", "x" * 129, 'quote"d', "new\\nline", "-leading-dash", "ünicode", "a;b"],
)
def test_a_bad_request_id_is_replaced(client: Client, bad: str) -> None:
    response = client.get("/health/live", HTTP_X_REQUEST_ID=bad)
    assert MADE.fullmatch(response["X-Request-ID"])


def test_errors_carry_the_request_id_too(client: Client) -> None:
    response = client.get("/api/no-such-thing/", HTTP_X_REQUEST_ID="lost-1")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lost-1"


def test_the_id_is_current_only_during_the_request(client: Client) -> None:
    client.get("/health/live", HTTP_X_REQUEST_ID="over-soon")
    assert current_request_id() is None


# --- log lines ----------------------------------------------------------------------------------


def test_every_log_record_carries_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with bound("req-42"):
        logging.getLogger("apps.anything").info("inside")
    logging.getLogger("apps.anything").info("outside")
    inside, outside = caplog.records
    assert inside.request_id == "req-42"  # type: ignore[attr-defined]
    assert outside.request_id == "-"  # type: ignore[attr-defined]


def test_one_access_line_per_request(client: Client, caplog, make_user, api) -> None:
    caplog.set_level(logging.INFO, logger="servicelayer.access")
    user = make_user("ann")
    api(user).get("/api/auth/tokens/", HTTP_X_REQUEST_ID="tok-1")
    client.get("/api/products/", HTTP_X_REQUEST_ID="anon-1")
    signed_in, anonymous = access_lines(caplog)
    assert signed_in.levelno == logging.INFO
    assert signed_in.request_id == "tok-1"  # type: ignore[attr-defined]
    assert signed_in.method == "GET"  # type: ignore[attr-defined]
    assert signed_in.path == "/api/auth/tokens/"  # type: ignore[attr-defined]
    assert signed_in.status == 200  # type: ignore[attr-defined]
    assert signed_in.user_id == user.pk  # type: ignore[attr-defined]
    assert isinstance(signed_in.duration_ms, float)  # type: ignore[attr-defined]
    assert anonymous.user_id is None  # type: ignore[attr-defined]
    assert anonymous.request_id == "anon-1"  # type: ignore[attr-defined]


def test_django_s_own_line_for_an_error_answer_names_the_request(client: Client, caplog) -> None:
    # django.request logs a 4xx after the middleware returned: the console handler's filter
    # takes the id from the request the record names.
    from servicelayer.logging_setup import RequestIdOfRequest

    caplog.set_level(logging.WARNING, logger="django.request")
    client.get("/api/no-such-thing/", HTTP_X_REQUEST_ID="late-1")
    (line,) = [r for r in caplog.records if r.name == "django.request"]
    assert RequestIdOfRequest().filter(line)
    assert line.request_id == "late-1"


def test_probes_are_logged_at_debug(client: Client, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="servicelayer.access")
    client.get("/health/live")
    (line,) = access_lines(caplog)
    assert line.levelno == logging.DEBUG


def _clock(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Each request takes `seconds`, whatever the machine does."""
    ticks = iter([0.0, seconds] * 10)
    monkeypatch.setattr(logging_middleware, "clock", lambda: next(ticks))


def test_a_slow_request_is_a_warning(client, caplog, monkeypatch, settings) -> None:
    settings.SLOW_REQUEST_MS = 500
    caplog.set_level(logging.INFO, logger="servicelayer.access")
    _clock(monkeypatch, 0.75)
    client.get("/api/products/", HTTP_X_REQUEST_ID="slow-1")
    access, slow = access_lines(caplog)
    assert access.levelno == logging.INFO
    assert access.duration_ms == 750.0  # type: ignore[attr-defined]
    assert slow.levelno == logging.WARNING
    assert slow.getMessage().startswith("slow request")
    assert slow.request_id == "slow-1"  # type: ignore[attr-defined]
    assert slow.threshold_ms == 500  # type: ignore[attr-defined]
    assert slow.path == "/api/products/"  # type: ignore[attr-defined]


def test_a_request_within_the_threshold_is_no_warning(client, caplog, monkeypatch, settings):
    settings.SLOW_REQUEST_MS = 500
    caplog.set_level(logging.INFO, logger="servicelayer.access")
    _clock(monkeypatch, 0.5)
    client.get("/api/products/")
    assert [r.levelno for r in access_lines(caplog)] == [logging.INFO]


def test_json_lines_name_the_request() -> None:
    with bound("json-1"):
        record = logging.getLogger("servicelayer.access").makeRecord(
            "servicelayer.access",
            logging.INFO,
            __file__,
            1,
            "GET %s",
            ("/x",),
            None,
            extra={"status": 200, "duration_ms": 1.5},
        )
    line = json.loads(JsonFormatter().format(record))
    assert next(iter(line)) == "timestamp"
    assert line | {"timestamp": None} == {
        "timestamp": None,
        "level": "INFO",
        "logger": "servicelayer.access",
        "message": "GET /x",
        "request_id": "json-1",
        "status": 200,
        "duration_ms": 1.5,
    }


# --- into Celery tasks --------------------------------------------------------------------------


def test_publishing_puts_the_current_id_in_the_message_headers() -> None:
    headers: dict[str, str] = {}
    with bound("pub-1"):
        on_before_task_publish(headers=headers)
    assert headers == {TASK_HEADER: "pub-1"}
    outside: dict[str, str] = {}
    on_before_task_publish(headers=outside)
    assert outside == {}


def test_a_worker_runs_the_task_under_the_id_of_its_message() -> None:
    task = SimpleNamespace(request=SimpleNamespace(x_request_id="pub-2", headers=None))
    on_task_prerun(task_id="t-1", task=task)
    assert current_request_id() == "pub-2"
    on_task_postrun(task_id="t-1", task=task)
    assert current_request_id() is None


def test_a_header_in_request_headers_counts_too() -> None:
    task = SimpleNamespace(request=SimpleNamespace(headers={TASK_HEADER: "pub-3"}))
    on_task_prerun(task_id="t-2", task=task)
    try:
        assert current_request_id() == "pub-3"
    finally:
        on_task_postrun(task_id="t-2", task=task)


def test_a_task_no_request_started_gets_an_id_of_its_own() -> None:
    task = SimpleNamespace(request=SimpleNamespace(headers=None))
    on_task_prerun(task_id="t-3", task=task)
    try:
        assert MADE.fullmatch(current_request_id() or "")
    finally:
        on_task_postrun(task_id="t-3", task=task)
    assert current_request_id() is None


def test_a_forged_id_in_a_message_is_replaced() -> None:
    task = SimpleNamespace(request=SimpleNamespace(x_request_id="evil\nline", headers=None))
    on_task_prerun(task_id="t-4", task=task)
    try:
        assert MADE.fullmatch(current_request_id() or "")
    finally:
        on_task_postrun(task_id="t-4", task=task)


@pytest.fixture
def memory_app():
    """A Celery app on kombu's in-memory transport, with one task that tells its request id."""
    app = Celery(
        "request-id-test", broker="memory://", backend="cache+memory://", set_as_current=False
    )
    app.conf.task_always_eager = False
    # kombu's in-memory broker is one per process: a queue of this app's own, looked at often
    app.conf.task_default_queue = "request-id-test"
    app.conf.broker_transport_options = {"polling_interval": 0.05}

    @app.task(name="tests.current_request_id", shared=False)
    def tell() -> str | None:
        return current_request_id()

    project_app = current_app._get_current_object()
    yield app, tell
    app.close()
    # a worker makes its app the current one, and the default one of every other thread (so
    # a later test's threads would send their tasks to this app's dead broker): give both back
    project_app.set_current()
    project_app.set_default()
    # and its pool marked this process as a worker's, in which result.get() refuses to wait
    # (a later test's client would be told "Never call result.get() within a task")
    _set_task_join_will_block(False)


def test_a_published_message_carries_the_id(memory_app) -> None:
    app, tell = memory_app
    with bound("wire-1"):
        tell.delay()
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue("request-id-test")
        message = queue.get(timeout=1)
        message.ack()
        queue.close()
    assert message.headers[TASK_HEADER] == "wire-1"


def test_a_worker_runs_a_published_task_under_the_request_s_id(memory_app) -> None:
    from celery.contrib.testing.worker import start_worker

    app, tell = memory_app
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        with bound("wire-2"):
            result = tell.delay()
        # the worker's thread has its own context: only the message can have told it the id
        assert result.get(timeout=10) == "wire-2"
        stop_soon(tell)


def stop_soon(task: Any) -> None:
    """Ask the worker to stop, as start_worker's exit does, and end the two waits for a message
    (2 s each on this broker) its loop still makes before it stops: a message each."""
    from celery.worker import state

    state.should_terminate = 0
    task.delay()
    task.delay()


def test_a_task_run_in_process_keeps_the_request_s_id(memory_app) -> None:
    _, tell = memory_app
    with bound("eager-1"):
        assert tell.apply().get() == "eager-1"
        assert current_request_id() == "eager-1"  # postrun gave the request its id back


def test_the_project_s_tasks_run_eagerly_under_the_request_s_id(settings) -> None:
    from config.celery import app

    assert app.conf.task_always_eager  # no broker in tests: tasks run in process

    @app.task(name="tests.project_request_id", shared=False)
    def tell() -> str | None:
        return current_request_id()

    with bound("eager-2"):
        assert tell.delay().get() == "eager-2"


@pytest.mark.django_db(transaction=True)  # on_commit runs at the service's commit, in the request
def test_a_task_a_request_enqueues_runs_under_the_request_s_id(shopper, make_product, api, pay):
    from celery.signals import task_prerun

    from apps.ordering.dto import NewOrder
    from apps.ordering.services import order_place

    order = order_place(actor=shopper, data=NewOrder(product_id=make_product().pk, quantity=1))
    pay(shopper, order.id)
    seen: list[tuple[str, str | None]] = []

    def note(task=None, **_):
        seen.append((task.name, current_request_id()))

    task_prerun.connect(note, weak=False)
    try:
        response = api(shopper).post(
            f"/api/orders/{order.id}/cancel/", HTTP_X_REQUEST_ID="cancel-1"
        )
    finally:
        task_prerun.disconnect(note)
    assert response.status_code == 200, response.content
    # the refund, and the event relay after each commit that wrote events (the cancel's, the
    # refund's): every one under the request's id
    assert len(seen) == 3
    assert set(seen) == {("servicelayer.run_service", "cancel-1")}


# --- into supplier calls ------------------------------------------------------------------------


@pytest.fixture
def supplier_calls() -> tuple[HttpSupplierGateway, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"refNumber": "S-1", "clientReference": "c-1"})

    gateway = HttpSupplierGateway("http://supplier.test", connect_timeout=1, read_timeout=1)
    gateway.client = httpx.Client(
        base_url="http://supplier.test", transport=httpx.MockTransport(answer)
    )
    return gateway, seen


def test_supplier_calls_carry_the_request_id(supplier_calls) -> None:
    gateway, seen = supplier_calls
    booking = BookingRequest("c-1", "H-1", date(2030, 1, 1), 2, "")
    with bound("sup-1"):
        gateway.book(booking)
        gateway.find("c-1")
        gateway.cancel("S-1")
    assert [r.headers["X-Request-ID"] for r in seen] == ["sup-1"] * 3


def test_supplier_calls_outside_a_request_send_no_id(supplier_calls) -> None:
    gateway, seen = supplier_calls
    gateway.find("c-1")
    assert "X-Request-ID" not in seen[0].headers
    assert request_id.outgoing_headers() == {}
