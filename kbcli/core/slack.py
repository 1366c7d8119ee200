"""A Slack workspace export as kb sees it: people, channels, and threads of messages.

The adapter reads the files; this module turns the raw JSON into threads. A
standard export keeps one file per channel and day, so a thread that crosses
midnight has its replies in the next day's file: messages are grouped by
``thread_ts`` across every day of the channel. Edits use the latest text, deleted
messages, bots and channel events (joins, topic changes) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Subtypes that are people talking; every other subtype is an event or a bot.
_KEPT_SUBTYPES = {None, "", "thread_broadcast", "file_share", "me_message"}
_PERMALINK = re.compile(r"/archives/(?P<channel>[A-Z0-9]+)/p(?P<ts>\d{16})")
_TS = re.compile(r"^p?(?P<sec>\d{9,11})\.?(?P<frac>\d{6})$")


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    real_name: str = ""
    email: str | None = None
    deleted: bool = False
    is_bot: bool = False

    @property
    def display(self) -> str:
        return self.real_name or self.name or self.id


@dataclass(frozen=True)
class SlackFile:
    name: str
    url: str


@dataclass(slots=True)  # not frozen: built hundreds of thousands of times, never changed
class Message:
    ts: str
    user: str
    text: str
    thread_ts: str | None = None
    reactions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[SlackFile, ...] = ()
    edited: bool = False
    fallback_name: str = ""

    @property
    def when(self) -> datetime:
        return ts_datetime(self.ts)


@dataclass(frozen=True)
class Thread:
    channel_id: str
    channel: str
    messages: tuple[Message, ...]

    @property
    def root(self) -> Message:
        return self.messages[0]

    @property
    def replies(self) -> tuple[Message, ...]:
        return self.messages[1:]

    @property
    def ts(self) -> str:
        return self.root.ts

    @property
    def last_activity(self) -> str:
        return max(m.ts for m in self.messages)


@dataclass(frozen=True)
class Channel:
    id: str
    name: str


def ts_datetime(ts: str) -> datetime:
    """A Slack timestamp (seconds.micros since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), UTC)


def normalise_ts(text: str) -> str | None:
    """``1699999999.123456`` from that or from a permalink's ``p1699999999123456``."""
    match = _TS.match(text.strip())
    return f"{match.group('sec')}.{match.group('frac')}" if match else None


@dataclass(frozen=True)
class Permalink:
    host: str
    channel_id: str
    ts: str
    thread_ts: str | None


def parse_permalink(url: str) -> Permalink | None:
    """The channel and message of a Slack message link; None when ``url`` is not one."""
    parts = urlsplit(url.strip())
    match = _PERMALINK.search(parts.path)
    if not parts.netloc or not match:
        return None
    ts = normalise_ts(match.group("ts"))
    assert ts is not None
    thread = parse_qs(parts.query).get("thread_ts", [None])[0]
    thread_ts = normalise_ts(thread) if thread else None
    return Permalink(parts.netloc, match.group("channel"), ts, thread_ts)


def permalink(base_url: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """``https://acme.slack.com/archives/C1/p1699999999123456`` (``?thread_ts`` for replies)."""
    base = base_url.rstrip("/")
    if "://" not in base:
        base = "https://" + base
    link = f"{base}/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def users_from(raw: Any) -> dict[str, SlackUser]:
    """``users.json`` entries by id; raises ValueError when the file has the wrong shape."""
    if not isinstance(raw, list):
        raise ValueError("must be a list of users")
    users = {}
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise ValueError("has an entry without an 'id'")
        profile = entry.get("profile") if isinstance(entry.get("profile"), Mapping) else {}
        assert isinstance(profile, Mapping)
        users[entry["id"]] = SlackUser(
            id=entry["id"],
            name=str(entry.get("name") or profile.get("display_name") or ""),
            real_name=str(entry.get("real_name") or profile.get("real_name") or ""),
            email=profile.get("email") or None,
            deleted=bool(entry.get("deleted")),
            is_bot=bool(entry.get("is_bot")) or entry.get("id") == "USLACKBOT",
        )
    return users


def channels_from(raw: Any, *, named: bool = True) -> list[Channel]:
    """``channels.json`` entries (also ``groups.json`` and ``mpims.json``; ``dms.json``
    with ``named=False``: direct messages have no name, their folder is their id).
    Raises ValueError when the file has the wrong shape."""
    if not isinstance(raw, list):
        raise ValueError("must be a list of channels")
    found = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not entry.get("id"):
            raise ValueError("has an entry without an 'id'")
        name = entry.get("name") or ("" if named else entry["id"])
        if not name:
            raise ValueError(f"has a channel without a 'name' (id {entry['id']})")
        found.append(Channel(str(entry["id"]), str(name)))
    return found


def threads_from(
    channel: Channel, days: Iterable[Sequence[Any]], users: Mapping[str, SlackUser]
) -> list[Thread]:
    """Every conversation of a channel (a thread, or a lone message), oldest first.

    ``days`` are the parsed day files in date order. Message edits and deletions that
    appear as events (``message_changed``, ``message_deleted``) are applied.
    """
    by_ts: dict[str, Message] = {}
    for day in days:
        for raw in day:
            if type(raw) is dict:
                _apply(raw, by_ts, users)
    groups: dict[str, list[Message]] = {}
    for message in sorted(by_ts.values(), key=lambda m: float(m.ts)):
        key = message.thread_ts or message.ts
        groups.setdefault(key, []).append(message)
    threads = []
    for key, messages in groups.items():
        if messages[0].ts != key:
            continue  # replies whose parent was deleted: no question to capture
        threads.append(Thread(channel.id, channel.name, tuple(messages)))
    return threads


def _apply(raw: dict[str, Any], by_ts: dict[str, Message], users: Mapping[str, SlackUser]) -> None:
    subtype = raw.get("subtype")
    if subtype == "message_changed" and type(raw.get("message")) is dict:
        changed = _message(raw["message"], users)
        if changed and changed.ts in by_ts:
            by_ts[changed.ts] = changed
        return
    if subtype == "message_deleted":
        by_ts.pop(str(raw.get("deleted_ts")), None)
        return
    message = _message(raw, users)
    if message is not None:
        by_ts[message.ts] = message


def _message(raw: dict[str, Any], users: Mapping[str, SlackUser]) -> Message | None:
    # Hot path: exports hold hundreds of thousands of messages, and json gives dicts,
    # so plain dict checks (not the slower Mapping ABC) and fast paths for the common case.
    subtype = raw.get("subtype")
    if raw.get("type", "message") != "message" or not (
        subtype is None or (type(subtype) is str and subtype in _KEPT_SUBTYPES)
    ):
        return None  # a list or mapping as subtype (hostile export) is not a message
    user_id = raw.get("user")
    if raw.get("bot_id") or type(user_id) is not str:
        return None
    user = users.get(user_id)
    if user is not None and user.is_bot:
        return None
    ts = _ts(raw.get("ts"))
    if ts is None:
        return None
    thread = raw.get("thread_ts")
    thread_ts = _ts(thread) if thread else None
    files = tuple(_files(raw["files"])) if "files" in raw else ()
    text = raw.get("text") or ""
    if type(text) is not str:
        text = str(text)
    if not files and not text.strip():
        return None
    profile = raw.get("user_profile")
    fallback = ""
    if type(profile) is dict:
        fallback = str(profile.get("real_name") or profile.get("display_name") or "")
    return Message(
        ts,
        user_id,
        text,
        thread_ts,
        _reactions(raw["reactions"]) if "reactions" in raw else {},
        files,
        type(raw.get("edited")) is dict,
        fallback,
    )


def _ts(value: Any) -> str | None:
    if type(value) is str and len(value) == 17 and value[10] == "." and value.isascii():
        return value  # the usual form, 1699999999.123456
    return normalise_ts(str(value)) if value is not None else None


def _reactions(raw: Any) -> dict[str, tuple[str, ...]]:
    if type(raw) is not list:
        return {}
    found = {}
    for entry in raw:
        if type(entry) is dict and entry.get("name"):
            people = entry.get("users")
            found[str(entry["name"])] = tuple(map(str, people)) if type(people) is list else ()
    return found


def _files(raw: Any) -> Iterable[SlackFile]:
    if not isinstance(raw, list):
        return
    for entry in raw:
        if type(entry) is not dict or entry.get("mode") in ("tombstone", "hidden_by_limit"):
            continue
        url = entry.get("permalink") or entry.get("url_private")
        if not url:
            continue
        yield SlackFile(str(entry.get("title") or entry.get("name") or "file"), str(url))
