"""Card bodies kept apart from the rest of each card, read only when asked for.

A warm ``kb report`` at 100,000 cards needs every card's front matter, findings and
links, never a body; loading the bodies with the rest of ``.kb/cards.marshal`` was a
third of its time and most of its memory. So the per-card cache (``card_cache``) keeps
the bodies in ``.kb/bodies/NN.marshal`` (64 files by a hash of the path, each a
``checked_file``: path -> (hash of the card's bytes, body)), and gives ``KeptCard``\\ s
whose ``body`` loads the one file that holds it on first use.

A body is used only for the bytes its card was read from (the same hash); a missing,
damaged or foreign file, or an entry for other bytes, means the body is parsed again
from the card's file, never a wrong body. An edit means rewriting only the file that
holds that card's body.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kbcli.adapters import checked_file
from kbcli.core.cards import Card

FOLDER = "bodies"
SHARDS = 64
_MAGIC = b"kbbody01"

# path -> (hash of the card's bytes, body)
Entry = tuple[bytes, str]


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


class BodyStore:
    """The kept bodies of one repo; ``reread(rel)`` parses a body from the card's file."""

    def __init__(self, cache_dir: Path, key: Any) -> None:
        self.folder = cache_dir / FOLDER
        self.key = key
        self.reread: Callable[[str], str] = lambda _rel: ""
        self.shards: dict[int, dict[str, Any]] = {}
        self.added: dict[int, dict[str, Entry]] = {}

    def _shard(self, index: int) -> dict[str, Any]:
        found = self.shards.get(index)
        if found is None:
            path = self.folder / f"{index:02d}.marshal"
            found = self.shards[index] = checked_file.load(path, self.key, _MAGIC)
        return found

    def body(self, rel: str, digest: bytes) -> str:
        """The body of the card read from bytes hashing to ``digest``."""
        index = shard_of(rel)
        entry = self.added.get(index, {}).get(rel) or self._shard(index).get(rel)
        if (
            isinstance(entry, tuple)
            and len(entry) == 2
            and entry[0] == digest
            and isinstance(entry[1], str)
        ):
            return entry[1]
        return self.reread(rel)

    def put(self, rel: str, digest: bytes, body: str) -> None:
        """Keep ``body`` (of a card just parsed) at the next ``save``."""
        self.added.setdefault(shard_of(rel), {})[rel] = (digest, body)

    def save(self, kept: Iterable[str]) -> None:
        """Write the files that gained a body; their entries for paths not in ``kept``
        (deleted cards) are dropped."""
        if not self.added or not self.folder.parent.is_dir():
            return
        self.folder.mkdir(exist_ok=True)
        keep = set(kept)
        for index, added in self.added.items():
            entries = {rel: e for rel, e in self._shard(index).items() if rel in keep}
            entries.update(added)
            self.shards[index] = entries
            checked_file.save(self.folder / f"{index:02d}.marshal", self.key, entries, _MAGIC)
        self.added = {}


class KeptCard(Card):
    """A card from the per-card cache: its body is loaded on first use (``BodyStore``);
    equal to the same card parsed from its file, and pickled as a plain ``Card``."""

    def _get_body(self) -> str:
        found = self.__dict__.get("_body")
        if found is None:
            store: BodyStore = self.__dict__["_store"]
            found = self.__dict__["_body"] = store.body(self.path, self.__dict__["_digest"])
        return found

    def _set_body(self, value: str) -> None:
        self.__dict__["_body"] = value

    body = property(_get_body, _set_body)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Card):
            return NotImplemented
        return _fields(self) == _fields(other)

    __hash__ = Card.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return Card, _fields(self)


def _fields(card: Card) -> tuple[Any, ...]:
    return (card.path, card.meta, card.body, card.problems, card.position, card.body_line)


def kept_card(
    rel: str,
    meta: Any,
    problems: tuple[Any, ...],
    position: Any,
    body_line: int,
    store: BodyStore,
    digest: bytes,
    refs: Any,
) -> KeptCard:
    """A ``KeptCard`` whose body ``store`` holds under ``digest``; ``refs``: its links
    as ``core.report.card_refs`` found them."""
    card = object.__new__(KeptCard)
    card.__dict__.update(
        path=rel,
        meta=meta,
        problems=problems,
        position=position,
        body_line=body_line,
        _store=store,
        _digest=digest,
        refs=refs,
    )
    return card
