"""Post JSON to a Slack incoming webhook with the standard library.

``kb notify slack`` must work without the Slack SDK (it runs in CI where only kb is
installed), and a webhook is one POST: urllib is enough. One attempt per message,
a bounded timeout, never a retry loop.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from kbcli.errors import KbError


class WebhookError(KbError):
    """Slack could not be reached, or answered with an error (exit 2)."""


def post_json(url: str, payload: dict[str, Any], *, timeout: float = 10.0) -> str:
    """POST ``payload``; return Slack's answer text ("ok"), raise WebhookError otherwise."""
    if not url.startswith(("https://", "http://")):
        raise WebhookError(f"--webhook-url must be an http(s) address, not {url[:40]!r}")
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return str(answer.read(2000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        body = error.read(2000).decode("utf-8", "replace").strip() if error.fp else ""
        raise WebhookError(
            f"Slack answered HTTP {error.code} {error.reason}: {body or '(no error text)'}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise WebhookError(f"could not reach the Slack webhook: {reason}") from None
