"""A fake forge on 127.0.0.1: GitHub's ``POST /repos/O/R/pulls`` and GitLab's
``POST /projects/ID/merge_requests``, recorded with their headers, answered as the
real APIs answer (201 and the request's web address, or an error status and message)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeForge:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.refuse: tuple[int, dict[str, Any]] | None = None  # status and body to answer with
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append((self.path, headers, body))
                status, answer = fake._answer(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def _answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.refuse:
            return self.refuse
        number = len(self.requests)
        if path.endswith("/pulls"):
            project = path.split("/repos/", 1)[1].rsplit("/pulls", 1)[0]
            return 201, {
                "number": number,
                "html_url": f"https://forge.test/{project}/pull/{number}",
            }
        if path.endswith("/merge_requests"):
            return 201, {"iid": number, "web_url": f"https://forge.test/-/merge_requests/{number}"}
        return 404, {"message": "Not Found"}

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
