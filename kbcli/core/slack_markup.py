"""Slack ``mrkdwn`` to markdown: mentions, channels, links, emphasis, code.

Slack stores messages in its own markup: ``<@U123>`` mentions, ``<#C123|name>``
channels, ``<https://x|text>`` links, ``*bold*``, ``_italic_``, ``~strike~`` and
HTML-escaped ``&``, ``<`` and ``>``. Code spans and fenced blocks are copied as
they are (Slack does not format inside them); emoji shortcodes stay as text so
the card reads the same in every viewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

_FENCE = re.compile(r"```(?P<body>.*?)```", re.DOTALL)
_CODE = re.compile(r"`(?P<body>[^`\n]+)`")
_ANGLE = re.compile(r"<(?P<inner>[^<>\n]+)>")
_BOLD = re.compile(r"(?<![\w*\\])\*(?=\S)(?P<body>[^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w\\])_(?=\S)(?P<body>[^_\n]+?)(?<=\S)_(?!\w)")
_STRIKE = re.compile(r"(?<![\w~\\])~(?=\S)(?P<body>[^~\n]+?)(?<=\S)~(?![\w~])")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[•◦▪‣][ \t]+", re.MULTILINE)
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


@dataclass(frozen=True)
class Names:
    """How to print people and channels: Slack ids to display text."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def user(self, user_id: str, fallback: str = "") -> str:
        return self.users.get(user_id) or fallback or f"unknown user {user_id}"

    def channel(self, channel_id: str, fallback: str = "") -> str:
        return "#" + (fallback or self.channels.get(channel_id) or channel_id)


def unescape(text: str) -> str:
    """Slack escapes only these three characters."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_markdown(text: str, names: Names | None = None) -> str:
    """Convert one message's Slack markup to markdown."""
    names = names or Names()
    kept: list[str] = []
    text = text.replace("\x00", "")  # NUL marks kept pieces below; Slack text never has it

    def keep(value: str) -> str:
        kept.append(value)
        return f"\x00{len(kept) - 1}\x00"

    text = _FENCE.sub(lambda m: keep(_fenced(m.group("body"))), text)
    text = _CODE.sub(lambda m: keep(f"`{unescape(m.group('body'))}`"), text)
    text = _ANGLE.sub(lambda m: keep(_angle(m.group("inner"), names)), text)
    text = unescape(text)
    text = _BOLD.sub(lambda m: keep(f"**{m.group('body')}**"), text)
    text = _ITALIC.sub(lambda m: keep(f"*{m.group('body')}*"), text)
    text = _STRIKE.sub(lambda m: keep(f"~~{m.group('body')}~~"), text)
    text = _BULLET.sub(lambda m: f"{m.group('indent')}- ", text)
    return _restore(text, kept)


def _restore(text: str, kept: list[str]) -> str:
    # Placeholders may nest (a link inside bold text), so restore until none is left.
    pattern = re.compile(r"\x00(\d+)\x00")
    for _ in range(5):
        if "\x00" not in text:
            break
        text = pattern.sub(lambda m: kept[int(m.group(1))], text)
    return text


def _fenced(body: str) -> str:
    body = unescape(body).strip("\n")
    return f"\n```\n{body}\n```\n"


def _angle(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    label = unescape(label)
    handlers: dict[str, Callable[[], str]] = {
        "@": lambda: names.user(target[1:], label.lstrip("@")),
        "#": lambda: names.channel(target[1:], label),
        "!": lambda: _special(target[1:], label),
    }
    if target[:1] in handlers:
        return handlers[target[:1]]()
    url = unescape(target)
    if not label or label == url:
        return f"<{url}>"
    return f"[{_escape_label(label)}]({url})"


def _special(command: str, label: str) -> str:
    if command in _SPECIAL:
        return _SPECIAL[command]
    if command.startswith("subteam^"):
        return label if label.startswith("@") else "@" + (label or "team")
    return label or command


def _escape_label(label: str) -> str:
    return label.replace("[", r"\[").replace("]", r"\]")


def plain(text: str, names: Names | None = None) -> str:
    """One line of readable text (for titles and listings): markup and emphasis dropped."""
    text = to_markdown(text, names)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*~`]+", "", text)
    return " ".join(text.split())
