"""The cards' passage vectors under ``.kb/vectors.marshal``, keyed by content hash.

One marshal file holds, for the model that made them: each card's content hash (the
search index's, from its manifest) with the keys of its passages, and each passage
key's vector (float16 bytes). A passage key is a hash of the model and the passage's
text (``core.passages.passage_key``), so an edit re-embeds only the passages it
changed and a renamed card re-embeds nothing. A missing, damaged or other model's file
is an empty store, never a wrong answer; writes are atomic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE = "vectors.marshal"
VERSION = 1


@dataclass
class Vectors:
    """Card path -> (content hash, passage keys) and passage key -> float16 vector bytes."""

    model: str
    cards: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    vectors: dict[str, bytes] = field(default_factory=dict)

    def current(self, hashes: dict[str, str]) -> set[str]:
        """The cards of ``hashes`` (path -> content hash) whose vectors are up to date."""
        return {
            path
            for path, digest in hashes.items()
            if (entry := self.cards.get(path)) is not None and entry[0] == digest
        }

    def keep_only(self, paths: Iterable[str]) -> bool:
        """Forget deleted cards and the passages no card uses any more; True if any."""
        wanted, before = set(paths), (len(self.cards), len(self.vectors))
        self.cards = {p: e for p, e in self.cards.items() if p in wanted}
        used = {k for _, keys in self.cards.values() for k in keys}
        self.vectors = {k: v for k, v in self.vectors.items() if k in used}
        return before != (len(self.cards), len(self.vectors))

    def matrix(self, paths: Iterable[str]) -> tuple[list[str], Any, Any]:
        """(paths, first row of each path, float32 matrix of their passages' vectors)."""
        import numpy as np

        order: list[str] = []
        starts: list[int] = []
        blobs: list[bytes] = []
        for path in paths:
            entry = self.cards.get(path)
            if entry is None or not entry[1]:
                continue
            order.append(path)
            starts.append(len(blobs))
            blobs += [self.vectors[k] for k in entry[1]]
        if not blobs:
            return [], np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        rows = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), -1)
        return order, np.asarray(starts, dtype=np.int64), rows.astype(np.float32)


def load(folder: Path, model: str) -> Vectors:
    """The store in ``folder`` for ``model`` (empty when there is none, or another's)."""
    from kbcli.adapters import keyed_cache

    found = keyed_cache.load(folder / FILE, (VERSION, model))
    if not isinstance(found, dict):
        return Vectors(model)
    return Vectors(model, found.get("cards") or {}, found.get("vectors") or {})


def exists(folder: Path) -> bool:
    """Whether vectors were ever made here (a search then says when it cannot use them)."""
    return (folder / FILE).is_file()


def save(folder: Path, store: Vectors) -> None:
    from kbcli.adapters import keyed_cache

    keyed_cache.save(
        folder / FILE, (VERSION, store.model), {"cards": store.cards, "vectors": store.vectors}
    )


def to_bytes(row: Any) -> bytes:
    """One float32 vector as the float16 bytes kept on disk (half the size, same ranking)."""
    import numpy as np

    return bytes(np.asarray(row, dtype=np.float16).tobytes())
