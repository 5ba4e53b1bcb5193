"""The simulated suppliers over real HTTP (stdlib only): the first at /, StayHub under
/stayhub (supplier_sim.stayhub). See docs/supplier-api.md."""

import json
import logging
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from supplier_sim.core import BadRequest, Broken, Refused, Supplier
from supplier_sim.stayhub import API_KEY_HEADER, PREFIX, StayHubApi

log = logging.getLogger("supplier_sim")


class Handler(BaseHTTPRequestHandler):
    server: "SupplierServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _send(self, status: int, body: Any = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            raise BadRequest("The body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("The body must be a JSON object")
        return body

    def _error(
        self, status: HTTPStatus, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        self._send(status, {"error": code, "message": message, **(details or {})})

    def _stayhub(self) -> bool:
        """A request under /stayhub goes to the second supplier (supplier_sim.stayhub)."""
        url = urlsplit(self.path)
        if url.path != PREFIX and not url.path.startswith(f"{PREFIX}/"):
            return False
        api = self.server.stayhub
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        time.sleep(api.delay(self.command, url.path))
        answer = api.handle(self.command, url.path, query, self.headers.get(API_KEY_HEADER), body)
        if answer.hang:
            time.sleep(answer.hang)  # booked; the client has stopped listening
        self._send(answer.status, answer.body)
        return True

    def do_DELETE(self) -> None:
        if not self._stayhub():
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")

    def do_GET(self) -> None:
        if self._stayhub():
            return
        try:
            self._get()
        except BadRequest as exc:
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", str(exc))
        except Broken:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something broke.")

    def _get(self) -> None:
        url = urlsplit(self.path)
        supplier = self.server.supplier
        if url.path == "/health":
            return self._send(200, {"status": "ok"})
        if url.path == "/_faults":
            return self._send(200, vars(supplier.faults))
        if url.path == "/_stats":
            return self._send(200, {"bookings": supplier.count(), "requests": supplier.requests})
        if url.path == "/bookings":
            reference = parse_qs(url.query).get("clientReference", [""])[0]
            booking = supplier.find(reference)
            if booking is None:
                return self._error(HTTPStatus.NOT_FOUND, "not_found", "No booking.")
            return self._send(200, booking.as_json())
        if url.path == "/availability":
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            if supplier.faults.latency:
                time.sleep(supplier.faults.latency)
            return self._send(200, supplier.availability(query))
        if url.path.startswith("/bookings/") and url.path.count("/") == 2:
            found = supplier.get(url.path.split("/")[2])
            if found is None:
                return self._error(HTTPStatus.NOT_FOUND, "not_found", "No booking.")
            return self._send(200, found.as_json())
        self._error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")

    def do_POST(self) -> None:
        if self._stayhub():
            return
        url = urlsplit(self.path)
        supplier = self.server.supplier
        try:
            if url.path == "/_faults":
                supplier.set_faults(self._json())
                return self._send(200, vars(supplier.faults))
            if url.path == "/_reset":
                supplier.reset()
                return self._send(204)
            if url.path == "/bookings/hotel":
                payload = self._json()
                if supplier.faults.latency:
                    time.sleep(supplier.faults.latency)
                outcome = supplier.book(payload)
                if outcome.hang:
                    time.sleep(outcome.hang)  # booked; the client has stopped listening
                status = HTTPStatus.CREATED if outcome.created else HTTPStatus.OK
                return self._send(status, outcome.booking.as_json())
            if url.path.startswith("/bookings/") and url.path.endswith("/cancel"):
                booking = supplier.cancel(url.path.split("/")[2])
                if booking is None:
                    return self._error(HTTPStatus.NOT_FOUND, "not_found", "No booking.")
                return self._send(200, booking.as_json())
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")
        except BadRequest as exc:
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", str(exc))
        except Refused as exc:
            self._error(HTTPStatus.CONFLICT, exc.code, exc.message, exc.details)
        except Broken:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something broke.")


class SupplierServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        supplier: Supplier | None = None,
        stayhub: StayHubApi | None = None,
    ) -> None:
        super().__init__(address, Handler)
        self.supplier = supplier or Supplier()
        self.stayhub = stayhub or StayHubApi()  # the second supplier, its own bookings
