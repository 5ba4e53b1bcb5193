"""The embedded broker's files: whole messages, each to one consumer, oldest first."""

import threading
from pathlib import Path

import pytest
from kombu import Connection
from kombu.transport.virtual import BrokerState

from servicelayer.filebroker import Transport


@pytest.fixture(autouse=True)
def _fresh_bindings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process remembers the bindings it declared (kombu's state per process): each test's
    folder needs its own declared."""
    monkeypatch.setattr(Transport, "global_state", BrokerState())


def connect(folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport="servicelayer.filebroker:Transport",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )


def test_messages_come_out_whole_and_in_order(tmp_path):
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("jobs")
        for n in range(3):
            queue.put({"n": n})
        assert [queue.get(timeout=1).payload["n"] for n in range(3)] == [0, 1, 2]
        queue.close()


def test_a_message_still_being_written_is_not_taken(tmp_path):
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("jobs")
        queue.put({"n": 1})
        # what a writer leaves while it writes: a file in staging/, not yet in the queue
        (tmp_path / "staging" / "00000000000000000000_half.jobs.msg").write_bytes(b'{"bo')
        assert queue.get(timeout=1).payload == {"n": 1}
        assert queue.qsize() == 0
        queue.close()


def test_two_consumers_never_take_the_same_message(tmp_path):
    with connect(tmp_path) as connection:
        producer = connection.SimpleQueue("jobs")
        for n in range(200):
            producer.put(n)
        producer.close()
    taken: list[list[int]] = [[], []]

    def consume(into: list[int]) -> None:
        with connect(tmp_path) as connection:
            queue = connection.SimpleQueue("jobs")
            while True:
                try:
                    message = queue.get(timeout=0.5)
                except queue.Empty:
                    break
                into.append(message.payload)
                message.ack()
            queue.close()

    threads = [threading.Thread(target=consume, args=(into,)) for into in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(taken[0] + taken[1]) == list(range(200))
