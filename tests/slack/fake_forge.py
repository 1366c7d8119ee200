"""A fake forge on 127.0.0.1: GitHub's ``POST /repos/O/R/pulls`` and GitLab's
``POST /projects/ID/merge_requests``, recorded with their headers, answered as the
real APIs answer (201 and the request's web address, or an error status and message)."""

from __future__ import annotations

import json
from typing import Any

from tests.local_http import LocalServer, Request


class FakeForge:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.refuse: tuple[int, dict[str, Any]] | None = None  # status and body to answer with
        self.server = LocalServer(self._request)
        self.url = self.server.url

    def _request(self, request: Request) -> tuple[int, dict[str, Any]]:
        body = json.loads(request.body or b"{}")
        self.requests.append((request.path, request.headers, body))
        return self._answer(request.path, body)

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
        self.server.close()
