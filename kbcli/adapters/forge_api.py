"""Open a merge request (GitLab) or pull request (GitHub) through the forge's REST API.

The standard library is enough for one POST: no forge SDK. One attempt, a bounded
timeout; a refusal is a KbError carrying the HTTP status and the forge's own message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from kbcli.core.forge import Forge
from kbcli.errors import KbError

TIMEOUT = 15.0


def open_review(
    forge: Forge, token: str, *, source: str, target: str, title: str, body: str
) -> str:
    """Open the request to merge ``source`` into ``target``; its web address."""
    if forge.kind == "github":
        url = f"{forge.api}/repos/{forge.project}/pulls"
        payload: dict[str, Any] = {"title": title, "head": source, "base": target, "body": body}
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
        link = "html_url"
    else:
        url = f"{forge.api}/projects/{quote(forge.project, safe='')}/merge_requests"
        payload = {
            "source_branch": source,
            "target_branch": target,
            "title": title,
            "description": body,
            "remove_source_branch": True,
        }
        headers = {"PRIVATE-TOKEN": token}
        link = "web_url"
    answer = _post(url, payload, headers, forge.kind)
    found = answer.get(link) if isinstance(answer, dict) else None
    if not isinstance(found, str):
        raise KbError(f"{forge.kind} opened no merge request (its answer had no {link})")
    return found


def _post(url: str, payload: dict[str, Any], headers: dict[str, str], kind: str) -> Any:
    data = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={**headers, "Content-Type": "application/json", "User-Agent": "kb"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read(1_000_000) or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read(2000).decode("utf-8", "replace") if error.fp else ""
        raise KbError(f"{kind} answered HTTP {error.code}: {_message(text)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise KbError(
            f"could not reach {kind} at {url}: {getattr(error, 'reason', error)}"
        ) from None
    except ValueError:
        raise KbError(f"{kind} answered with something that is not JSON") from None


def _message(text: str) -> str:
    """The forge's error text: GitHub's ``message`` (and ``errors``), GitLab's ``message``."""
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300] or "(no error text)"
    if not isinstance(data, dict):
        return str(data)[:300]
    parts = [str(data.get("message") or data.get("error") or "")]
    for item in data.get("errors") or []:
        parts.append(str(item.get("message") if isinstance(item, dict) else item))
    return "; ".join(p for p in parts if p)[:300] or "(no error text)"
