"""One local HTTP server for the tests' stand-ins of remote services (Slack's Web API,
a forge, an incoming webhook): every POST is read, handed to the stand-in's ``answer``,
and its reply sent back, JSON unless it is bytes. Only 127.0.0.1, as the suite allows."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def params(self) -> dict[str, Any]:
        """The body as JSON, or as a form (what an API client sends either way)."""
        if "json" in self.headers.get("content-type", ""):
            return dict(json.loads(self.body or b"{}"))
        return dict(parse_qsl(self.body.decode("utf-8")))


Answer = Callable[[Request], tuple[int, Any]]  # status, and a JSON value or raw bytes


class LocalServer:
    """Serves ``answer`` on 127.0.0.1 at ``url`` (no trailing slash) until ``close``."""

    def __init__(self, answer: Answer, *, keep_alive: bool = False) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, reply = answer(Request(self.path, headers, self.rfile.read(length)))
                raw = isinstance(reply, bytes)
                data = reply if raw else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if raw else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
