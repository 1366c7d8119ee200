"""The Slack app manifest: exactly the scopes, events and features ``kb slack`` uses.

Pure data, so it lives in core beside ``slack_blocks``: the app in ``kbcli.cli.slack``
registers the same shortcut and events.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kbcli.core.slack_blocks import CAPTURE_SHORTCUT

# Each scope, and the Web API call or feature that needs it.
BOT_SCOPES = {
    "commands": "the /kb slash command and the Capture this thread shortcut",
    "chat:write": "chat.postMessage: a knowledge request to its owner",
    "channels:history": "conversations.replies: capture a thread of a public channel",
    "groups:history": "conversations.replies: capture a thread of a private channel",
    "users:read": "users.info: the names in a captured thread, the user who verifies",
    "users:read.email": "users.info: map Slack users to people.yaml by e-mail",
    "links:read": "the link_shared event for handbook links",
    "links:write": "chat.unfurl: the handbook link preview with its trust badge",
}


def manifest(name: str, handbook_url: str) -> dict[str, Any]:
    """The manifest to paste at api.slack.com/apps ("From an app manifest")."""
    domain = urlsplit(handbook_url).hostname if handbook_url else None
    features: dict[str, Any] = {
        "bot_user": {"display_name": "kb", "always_online": True},
        "slash_commands": [
            {
                "command": "/kb",
                "description": "Search the knowledge base, or /kb ask QUESTION",
                "usage_hint": "refund duplicate charge | ask How do I ...?",
                "should_escape": False,
            }
        ],
        "shortcuts": [
            {
                "name": "Capture this thread",
                "type": "message",
                "callback_id": CAPTURE_SHORTCUT,
                "description": "Turn this thread into a KCS draft card (search before create)",
            }
        ],
    }
    events: list[str] = []
    scopes = dict(BOT_SCOPES)
    if domain:
        features["unfurl_domains"] = [domain]
        events = ["link_shared"]
    else:  # without a handbook address there is nothing to unfurl: ask for less
        scopes.pop("links:read")
        scopes.pop("links:write")
    settings: dict[str, Any] = {
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": True,
        "token_rotation_enabled": False,
    }
    if events:
        settings["event_subscriptions"] = {"bot_events": events}
    return {
        "display_information": {
            "name": name[:35],
            "description": "Search, capture and verify the knowledge base with kb",
        },
        "features": features,
        "oauth_config": {"scopes": {"bot": sorted(scopes)}},
        "settings": settings,
    }
