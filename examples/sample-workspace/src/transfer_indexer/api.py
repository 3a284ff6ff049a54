"""Read-only HTTP API over the transfers table (standard library server)."""

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from .store import TransferStore

_TX_PATH = re.compile(r"/v1/transfers/tx/(0x[0-9a-fA-F]{64})")


class ApiHandler(BaseHTTPRequestHandler):
    store: TransferStore  # set by make_server

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path == "/health":
            checkpoint = self.store.checkpoint()
            self._send(
                200, {"status": "ok", "indexed_block": checkpoint[0] if checkpoint else None}
            )
            return
        match = _TX_PATH.fullmatch(path)
        if match:
            transfers = self.store.transfers_by_tx(match[1].lower())
            if not transfers:
                self._error(404, "not_found", "No indexed transfers for this transaction.")
                return
            self._send(200, {"data": [t.to_json() for t in transfers]})
            return
        self._error(404, "not_found", f"No route for {path}.")

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"error": {"code": code, "message": message}})

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def make_server(store: TransferStore, port: int) -> ThreadingHTTPServer:
    handler = type("BoundApiHandler", (ApiHandler,), {"store": store})
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
