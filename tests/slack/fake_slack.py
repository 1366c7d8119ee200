"""A fake Slack on 127.0.0.1 for the tests: the Web API methods kb slack calls, and a
WebSocket server that pushes Socket Mode envelopes and records the acks.

Real slack-sdk and slack-bolt talk to it unchanged: the WebClient's ``base_url``
points here, and ``apps.connections.open`` hands out this server's ``ws://`` URL.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.server import ServerConnection, serve

from tests.local_http import LocalServer

TEAM = {"id": "T0NIMBUS", "domain": "nimbus-support"}
ACK_WITHIN = 3.0  # seconds: Slack's limit for acknowledging an envelope


# How long a wait may take before it fails. A wait ends the moment its event arrives, so the
# bound costs nothing when things work; it only has to outlast a slow start on a busy machine
# (a 10 s bound timed out once in a full run at load 10; the file passed alone).
PATIENCE = 60.0


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []  # posts to response_url
        self.acks: dict[str, dict[str, Any]] = {}
        self.pushed: dict[str, float] = {}  # envelope id -> when it was sent
        self.acked_at: dict[str, float] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.connections: list[ServerConnection] = []
        self.opened = 0  # apps.connections.open calls
        self.fail_method: dict[str, str] = {}  # method -> error code to answer with
        self.changed = threading.Condition()
        self._ids = itertools.count(1)
        self._start_http()
        self._start_ws()

    # ---- servers -------------------------------------------------------------------

    def _start_http(self) -> None:
        self.http = LocalServer(
            lambda request: (200, self._answer(request.path, request.params())), keep_alive=True
        )
        self.port = self.http.port
        self.api_url = f"{self.http.url}/api/"

    def _start_ws(self) -> None:
        def handler(connection: ServerConnection) -> None:
            with self.changed:
                self.connections.append(connection)
                self.changed.notify_all()
            connection.send(json.dumps({"type": "hello", "num_connections": 1}))
            try:
                for message in connection:
                    ack = json.loads(message)
                    if "envelope_id" in ack:
                        with self.changed:
                            self.acks[ack["envelope_id"]] = ack
                            self.acked_at[ack["envelope_id"]] = time.monotonic()
                            self.changed.notify_all()
            except Exception:
                pass

        self.ws = serve(handler, "127.0.0.1", 0, ping_interval=None)
        self.ws_port = self.ws.socket.getsockname()[1]
        threading.Thread(target=self.ws.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.ws.shutdown()
        self.http.close()

    # ---- the Web API ---------------------------------------------------------------

    def _answer(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if path.startswith("/response/"):
            with self.changed:
                self.responses.append((path, params))
                self.changed.notify_all()
            return {"ok": True}
        method = path.rsplit("/", 1)[-1]
        with self.changed:
            self.calls.append((method, params))
            self.changed.notify_all()
        if method in self.fail_method:
            return {"ok": False, "error": self.fail_method[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://nimbus-support.slack.com/",
                "team": "Nimbus",
                "user": "kb",
                "team_id": TEAM["id"],
                "user_id": "UKBBOT",
                "bot_id": "BKB",
            }
        if method == "apps.connections.open":
            self.opened += 1
            return {"ok": True, "url": f"ws://127.0.0.1:{self.ws_port}/link?n={self.opened}"}
        if method == "conversations.replies":
            messages = self.threads.get((params["channel"], params["ts"]))
            if messages is None:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "users.info":
            user = self.users.get(params["user"])
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return {"ok": True, "channel": params.get("channel"), "ts": f"{time.time():.6f}"}
        if method in ("chat.unfurl", "views.open"):
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    # ---- Socket Mode ---------------------------------------------------------------

    def wait_connected(self, count: int = 1, timeout: float = PATIENCE) -> None:
        self.wait(lambda: len(self.connections) >= count, timeout, f"{count} connection(s)")

    def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send one envelope on the newest connection; returns its envelope id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        self.pushed[envelope_id] = time.monotonic()
        self.connections[-1].send(json.dumps(envelope))
        return envelope_id

    def check_acks(self, within: float = ACK_WITHIN) -> None:
        """Every envelope sent was acknowledged, each within Slack's limit (Slack retries,
        then disables the app, when acks are late), with nothing but its id, or with a
        payload only where the envelope accepts one."""
        late = {
            envelope: round(self.acked_at[envelope] - sent, 2)
            for envelope, sent in self.pushed.items()
            if envelope in self.acked_at and self.acked_at[envelope] - sent > within
        }
        missing = sorted(set(self.pushed) - set(self.acks))
        assert not missing, f"envelopes never acknowledged: {missing}"
        assert not late, f"acknowledged later than {within} s: {late}"
        for ack in self.acks.values():
            assert set(ack) <= {"envelope_id", "payload"}, ack

    def push_raw(self, text: str) -> None:
        self.connections[-1].send(text)

    def drop(self) -> None:
        """Close the current connection the way a Slack restart does."""
        self.connections[-1].close()

    def wait(self, ready: Callable[[], bool], timeout: float = PATIENCE, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake Slack: timed out waiting for {what}")
                self.changed.wait(left)

    def wait_ack(self, envelope_id: str, timeout: float = PATIENCE) -> dict[str, Any]:
        self.wait(lambda: envelope_id in self.acks, timeout, f"the ack of {envelope_id}")
        return self.acks[envelope_id]

    def wait_response(self, url: str, timeout: float = PATIENCE) -> dict[str, Any]:
        path = "/" + url.split("/", 3)[3]
        self.wait(lambda: any(p == path for p, _ in self.responses), timeout, f"a post to {path}")
        return next(body for p, body in self.responses if p == path)

    def wait_call(self, method: str, timeout: float = PATIENCE) -> dict[str, Any]:
        self.wait(lambda: any(m == method for m, _ in self.calls), timeout, method)
        return next(body for m, body in reversed(self.calls) if m == method)

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/{next(self._ids)}"

    # ---- payloads, shaped as Slack sends them ---------------------------------------

    def slash(self, text: str, user: str = "U01ANA") -> tuple[str, str]:
        url = self.response_url()
        payload = {
            "token": "x",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C01BILL",
            "channel_name": "billing-help",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/kb",
            "text": text,
            "api_app_id": "AKB",
            "response_url": url,
            "trigger_id": "trig.1",
        }
        return self.push("slash_commands", payload), url

    def message_shortcut(self, channel: str, name: str, message: dict[str, Any]) -> tuple[str, str]:
        url = self.response_url()
        payload = {
            "type": "message_action",
            "callback_id": "kb_capture_thread",
            "trigger_id": "trig.2",
            "team": TEAM,
            "user": {"id": "U02MARCUS", "team_id": TEAM["id"]},
            "channel": {"id": channel, "name": name},
            "message": message,
            "message_ts": message["ts"],
            "response_url": url,
            "token": "x",
            "api_app_id": "AKB",
        }
        return self.push("interactive", payload), url

    def block_action(self, action_id: str, value: str, user: str) -> tuple[str, str]:
        url = self.response_url()
        payload = {
            "type": "block_actions",
            "team": TEAM,
            "user": {"id": user, "team_id": TEAM["id"]},
            "api_app_id": "AKB",
            "token": "x",
            "trigger_id": "trig.3",
            "channel": {"id": "D0DM", "name": "directmessage"},
            "container": {"type": "message", "message_ts": "1.2"},
            "response_url": url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.push("interactive", payload), url

    def link_shared(self, urls: list[str]) -> str:
        payload = {
            "token": "x",
            "team_id": TEAM["id"],
            "api_app_id": "AKB",
            "type": "event_callback",
            "event_id": f"Ev{next(self._ids)}",
            "event_time": int(time.time()),
            "event": {
                "type": "link_shared",
                "channel": "C01BILL",
                "user": "U01ANA",
                "message_ts": "1793750000.000100",
                "unfurl_id": "C01BILL.1793750000.000100.abc",
                "source": "conversations_history",
                "links": [{"domain": "kb.nimbus.example", "url": u} for u in urls],
                "event_ts": "1793750000.000100",
            },
        }
        return self.push("events_api", payload)
