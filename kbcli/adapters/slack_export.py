"""Read a Slack workspace export, from a folder or a ``.zip``, safely.

An export holds ``users.json``, ``channels.json`` and one folder per channel with
a ``YYYY-MM-DD.json`` file per day. Zip files are read in memory, never
extracted; a zip whose member names escape the export (``../``, absolute paths,
drive letters) is refused as a whole, and so is a folder whose channel names
or symlinks point outside it. Any unreadable or malformed file is a ``KbError``
(exit 2) that names the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from kbcli.adapters.bounded_zip import BoundedZip, ZipLimits
from kbcli.core.slack import Channel, SlackUser, Thread, channels_from, threads_from, users_from
from kbcli.errors import KbError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
MAX_FILE_BYTES = 256 * 1024 * 1024  # one day of one channel; more is a zip bomb, not chat


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
    if path.is_dir():
        source: _Source = _Folder(path)
    elif path.is_file():
        source = _Zip.open(path)
    else:
        raise KbError(f"{path} does not exist: give the folder or .zip of a Slack export")
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


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

    def _path(self, rel: str) -> Path:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise KbError(f"{self.label}: {rel} points outside the export; refusing to read it")
        return path

    def read(self, rel: str) -> bytes | None:
        path = self._path(rel)
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            raise KbError(f"{self.label}: {rel} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        try:
            return path.read_bytes()
        except OSError as error:
            raise KbError(f"{self.label}: cannot read {rel} ({error.strerror})") from None

    def listdir(self, rel: str) -> list[str]:
        path = self._path(rel)
        return [p.name for p in path.iterdir()] if path.is_dir() else []


class _Zip:
    """A zip export read member by member within ``bounded_zip``'s limits; its top
    folder (if any) is the export root."""

    def __init__(self, archive: BoundedZip, prefix: str) -> None:
        self.archive = archive
        self.label = archive.label
        self.prefix = prefix
        self.members = {
            name[len(prefix) :]: name for name in archive.names() if name.startswith(prefix)
        }

    @classmethod
    def open(cls, path: Path) -> _Zip:
        try:
            archive = BoundedZip(path, ZipLimits(member_bytes=MAX_FILE_BYTES))
        except KbError as error:
            if "is not a .zip file" in error.message:
                raise KbError(
                    f"{path} is neither a folder nor a .zip file: give a Slack export"
                ) from None
            raise
        names = archive.names()
        roots = sorted((n for n in names if PurePosixPath(n).name == "users.json"), key=len)
        prefix = roots[0][: -len("users.json")] if roots else ""
        return cls(archive, prefix)

    def read(self, rel: str) -> bytes | None:
        name = self.members.get(rel)
        return None if name is None else self.archive.read(name)

    def listdir(self, rel: str) -> list[str]:
        folder = rel.rstrip("/") + "/"
        return [
            name[len(folder) :]
            for name in self.members
            if name.startswith(folder) and "/" not in name[len(folder) :]
        ]


def iter_threads(export: SlackExport, channel: Channel | None = None) -> Iterator[Thread]:
    """Every thread of one channel, or of every channel."""
    for current in [channel] if channel else export.channels:
        yield from export.threads(current)
