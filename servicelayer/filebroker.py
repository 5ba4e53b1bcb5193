"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's own transport writes a message file in place and claims one by moving it to the
system's temp folder, so a consumer polling at the wrong moment can take a half-written file
(a JSON error that stops the worker), and a move to another filesystem is a copy. Here a message
is written aside and renamed into the queue folder, and claimed by a rename in the same folder
tree: both are atomic, so each message is read whole, by one consumer.

What it does not do: keep a claimed message until it is acknowledged. A worker's pool process
that dies gives its message back (the main process holds it and requeues it), but a main
process killed outright loses the messages it held; the periodic jobs are written to cover
that (docs/operations.md).
"""

import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queue = Path(self.data_folder_in)
        # siblings of the queue folder: renames between them never cross a filesystem
        self.staging = queue.parent / "staging"
        self.claimed = queue.parent / "claimed"
        for folder in (queue, Path(self.data_folder_out), self.control_folder):
            folder.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(exist_ok=True)
        self.claimed.mkdir(exist_ok=True)

    # kombu's base class declares (queue, message) but also passes keyword arguments
    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # kombu reads the name as "<anything without a dot>.<queue>.msg", oldest first
        name = f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"
        staged = self.staging / name
        staged.write_bytes(dumps(message).encode())
        os.replace(staged, Path(self.data_folder_out) / name)

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = self.claimed / name
            try:
                os.rename(folder / name, claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            try:
                return loads(claimed.read_bytes())
            except ValueError:
                # only a crash of the machine leaves such a file (nothing is fsynced)
                logger.error("Dropped an unreadable message file %s", name)
            finally:
                claimed.unlink(missing_ok=True)
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
