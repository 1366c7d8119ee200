"""Per-path entries kept in many small checked files, read as one consistent whole.

A build's state about every card (e.g. the related-cards state: each card's term
counts and related list) is one big dict that an edit changes in a few places. Kept in
one file, every edit rewrites all of it. Here it is split by a hash of the path into
``SHARDS`` files (each a ``checked_file``), and a save rewrites only the shards whose
entries changed, then a small head file naming the token of every shard.

Each shard written gets a new random token. ``load`` says whether the shards it read
are the very ones the head names (``whole``): a save cut short (some shards new, the
head old), a missing or damaged shard, or a shard of another writer, gives
``whole=False``. Entries are still given then, each shard's only when it is intact:
the caller uses an entry only when it checks out on its own (e.g. a key of what it was
made from), and uses the state as a whole only when ``whole`` is true.

State whose entries each check out on their own (a rendered body under the key it was
rendered for) needs no head and need not be read whole: ``entry(path)`` reads only the
shard holding ``path``, and ``update`` rewrites only the shards of the changed paths.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from kbcli.adapters import checked_file

SHARDS = 64
HEAD = "head.marshal"


def shard_of(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


class ShardedState:
    """The shards of one folder, written for ``key`` (the code and settings that made
    them): files written for another key read as missing."""

    def __init__(self, folder: Path, key: Any, magic: bytes) -> None:
        self.folder = folder
        self.key = key
        self.magic = magic
        self.tokens: list[Any] = [None] * SHARDS
        self.loaded: dict[str, Any] = {}
        self.head: dict[str, Any] = {}
        self.read = False  # load() ran (or save(): what it wrote is what is known)
        self.whole = False
        self.shards: dict[int, dict[str, Any]] = {}  # read one by one (entry, update)

    def head_signature(self) -> tuple[int, int, int] | None:
        """The head file's (mtime, size, inode): unchanged while no save happened."""
        try:
            st = (self.folder / HEAD).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def load(self) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """(every intact shard's entries, the head's extra values, whole)."""
        head = self.head = checked_file.load(self.folder / HEAD, self.key, self.magic)
        named = head.get("tokens")
        whole = isinstance(named, list) and len(named) == SHARDS
        entries: dict[str, Any] = {}
        for index in range(SHARDS):
            found = checked_file.load(self._path(index), self.key, self.magic)
            token, kept = found.get("token"), found.get("entries")
            if token is None or not isinstance(kept, dict):
                whole = False
                continue
            self.tokens[index] = token
            whole = whole and named[index] == token  # type: ignore[index]
            entries.update(kept)
        self.loaded, self.whole, self.read = entries, whole, True
        extra = head.get("extra")
        return entries, extra if isinstance(extra, dict) else {}, whole

    def known(self) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """``load()``'s answer, read once: after a ``save``, what it wrote."""
        if not self.read:
            return self.load()
        extra = self.head.get("extra")
        return self.loaded, extra if isinstance(extra, dict) else {}, self.whole

    def save(self, entries: Mapping[str, Any], extra: dict[str, Any]) -> int:
        """Keep ``entries``: the shards whose entries differ from the loaded ones are
        written, then the head; the number of shards written. Nothing where the folder's
        parent does not exist."""
        if not self.folder.parent.is_dir():
            return 0
        dirty = {shard_of(p) for p in self.loaded.keys() - entries.keys()}
        loaded = self.loaded
        for path, entry in entries.items():
            if loaded.get(path) != entry:
                dirty.add(shard_of(path))
        dirty |= {i for i, token in enumerate(self.tokens) if token is None}
        head = self.head
        if not dirty and head.get("tokens") == self.tokens and head.get("extra") == extra:
            return 0
        self.folder.mkdir(exist_ok=True)
        shards: dict[int, dict[str, Any]] = {i: {} for i in dirty}
        for path, entry in entries.items():
            index = shard_of(path)
            if index in shards:
                shards[index][path] = entry
        for index, kept in sorted(shards.items()):
            token = os.urandom(16)
            shard = {"token": token, "entries": kept}
            checked_file.save(self._path(index), self.key, shard, self.magic)
            self.tokens[index] = token
        self.head = {"tokens": list(self.tokens), "extra": extra}
        checked_file.save(self.folder / HEAD, self.key, self.head, self.magic)
        self.loaded, self.whole, self.read = dict(entries), True, True
        return len(shards)

    def entry(self, path: str) -> Any:
        """The entry of ``path`` (None when there is none), reading only its shard."""
        return self._shard(shard_of(path)).get(path)

    def update(self, changed: Mapping[str, Any], keep: Collection[str]) -> int:
        """Write the entries of ``changed`` into their shards (whose entries for paths not
        in ``keep`` are dropped); the number of shards written."""
        if not changed or not self.folder.parent.is_dir():
            return 0
        self.folder.mkdir(exist_ok=True)
        by_shard: dict[int, dict[str, Any]] = {}
        for path, entry in changed.items():
            by_shard.setdefault(shard_of(path), {})[path] = entry
        for index, added in sorted(by_shard.items()):
            entries = {p: e for p, e in self._shard(index).items() if p in keep}
            entries.update(added)
            self.shards[index] = entries
            shard = {"token": os.urandom(16), "entries": entries}
            checked_file.save(self._path(index), self.key, shard, self.magic)
        return len(by_shard)

    def _shard(self, index: int) -> dict[str, Any]:
        found = self.shards.get(index)
        if found is None:
            kept = checked_file.load(self._path(index), self.key, self.magic).get("entries")
            found = self.shards[index] = kept if isinstance(kept, dict) else {}
        return found

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:02d}.marshal"
