"""Read a Slack workspace export, from a folder or a ``.zip``, safely.

An export holds ``users.json``, ``channels.json`` and one folder per channel with
a ``YYYY-MM-DD.json`` file per day. Zip files are read through the guards
every importer shares (``export_archive``: in memory, never extracted; member names
that escape the export, symlinks and oversized members refused), and a folder whose
channel names or symlinks point outside it is refused too. Any unreadable or
malformed file is a ``KbError`` (exit 2) that names the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kbcli.adapters.export_archive import open_source
from kbcli.core.slack import Channel, SlackUser, Thread, channels_from, threads_from, users_from
from kbcli.errors import KbError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


class _Source(Protocol):
    label: str

    def read(self, rel: str) -> bytes | None: ...

    def listdir(self, rel: str) -> list[str]: ...


@dataclass
class SlackExport:
    """The people, channels and (lazily) the threads of one export."""

    source: _Source
    users: dict[str, SlackUser]
    channels: list[Channel]
    _threads: dict[str, list[Thread]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.source.label

    def channel(self, ref: str) -> Channel:
        """A channel by name (with or without ``#``) or id."""
        wanted = ref.strip().lstrip("#")
        for channel in self.channels:
            if wanted in (channel.name, channel.id):
                return channel
        names = ", ".join(sorted(c.name for c in self.channels)) or "none"
        raise KbError(f"{self.label} has no channel '{ref}'; its channels are: {names}")

    def threads(self, channel: Channel) -> list[Thread]:
        if channel.id not in self._threads:
            days = [self._day(channel, name) for name in self._day_files(channel)]
            self._threads[channel.id] = threads_from(channel, days, self.users)
        return self._threads[channel.id]

    def _day_files(self, channel: Channel) -> list[str]:
        return sorted(n for n in self.source.listdir(channel.name) if _DAY.match(n))

    def _day(self, channel: Channel, name: str) -> list[Any]:
        rel = f"{channel.name}/{name}"
        data = _json(self.source, rel)
        if not isinstance(data, list):
            raise KbError(
                f"{self.label}: {rel} must hold a list of messages; is the export intact?"
            )
        return data


def open_export(path: Path) -> SlackExport:
    """Open a Slack export folder or zip; raise ``KbError`` on anything malformed."""
    source: _Source = open_source(path, marker="users.json", what="a Slack export")
    for required in ("users.json", "channels.json"):
        if source.read(required) is None:
            raise KbError(
                f"{source.label} has no {required}: is it a Slack workspace export "
                "(Workspace settings → Import/Export data)?"
            )
    try:
        users = users_from(_json(source, "users.json"))
    except ValueError as error:
        raise KbError(f"{source.label}: users.json {error}; is the export intact?") from None
    channels = []
    # Public channels, then what fuller exports add: private channels, group and
    # direct messages.
    for name, named in (
        ("channels.json", True),
        ("groups.json", True),
        ("mpims.json", True),
        ("dms.json", False),
    ):
        if name != "channels.json" and source.read(name) is None:
            continue
        try:
            channels += channels_from(_json(source, name), named=named)
        except ValueError as error:
            raise KbError(f"{source.label}: {name} {error}; is the export intact?") from None
    for channel in channels:
        if not _safe_name(channel.name):
            raise KbError(
                f"{source.label}: the export names a channel '{channel.name}' "
                "that is not a plain folder name; refusing to read it"
            )
    return SlackExport(source, users, channels)


def _json(source: _Source, rel: str) -> Any:
    data = source.read(rel)
    if data is None:
        raise KbError(f"{source.label}: {rel} is missing")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise KbError(f"{source.label}: {rel} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise KbError(
            f"{source.label}: {rel}:{error.lineno}:{error.colno}: not valid JSON ({error.msg})"
        ) from None


def _safe_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not re.search(r"[/\\\x00:]", name)


def iter_threads(export: SlackExport, channel: Channel | None = None) -> Iterator[Thread]:
    """Every thread of one channel, or of every channel."""
    for current in [channel] if channel else export.channels:
        yield from export.threads(current)
