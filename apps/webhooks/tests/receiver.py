"""A receiver of webhooks on 127.0.0.1: a real HTTP server in a thread that records every
request and answers as its script says (a status code, or "hang": no answer at all)."""

import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

WAIT = 10  # seconds: a bound for a hanging answer, released at teardown; never a measure

Answer = int | Literal["hang"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: Message
    body: bytes


@dataclass
class Receiver:
    url: str
    script: list[Answer] = field(default_factory=list)  # then 200 for every request
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self, received: Received) -> Answer:
        with self.lock:
            self.requests.append(received)
            return self.script.pop(0) if self.script else 200


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = self.server.receiver.next_answer(Received(self.path, self.headers, body))
        if answer == "hang":
            self.server.receiver.release.wait(WAIT)
            self.close_connection = True
            return
        self.send_response(answer)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the test reads `requests`


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


def start() -> tuple[Receiver, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.receiver = Receiver(url=f"http://{host!s}:{port}/hooks/agora")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.receiver, server


def stop(server: _Server) -> None:
    server.receiver.release.set()
    server.shutdown()
    server.server_close()
