"""The cards' passage vectors under ``.kb/vectors.marshal``, keyed by content hash.

One marshal file holds, for the model that made them: each card's content hash (the
search index's, from its manifest) with the keys of its passages, and each passage
key's vector (float16 bytes). A passage key is a hash of the model and the passage's
text (``core.passages.passage_key``), so an edit re-embeds only the passages it
changed and a renamed card re-embeds nothing. A missing, damaged or other model's file
is an empty store, never a wrong answer; writes are atomic.

Beside it, ``.kb/vector-rows.bin`` keeps the same vectors as one float32 matrix in
card order (``Rows``): what a search reads, with neither numpy nor a float16 decode
(a one-shot ``kb search`` scores it with the stdlib, ``core.dense``). A small marshal
header names the cards; the matrix after it is memory-mapped, not parsed (at 38k
cards it is 275 MB, which unmarshalling copied on every one-shot search).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE = "vectors.marshal"
ROWS_FILE = "vector-rows.bin"
OLD_ROWS_FILE = "vector-rows.marshal"
ROWS_VERSION = 2
MAGIC = b"kb-rows\n"  # then the header's size (8 bytes), the header (marshal), the matrix
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


@dataclass(frozen=True)
class Rows:
    """Cards in path order, each card's content hash and first row, the float32 bytes
    of all their passages' vectors (card after card) and each row's squared length."""

    paths: tuple[str, ...]
    digests: tuple[str, ...]
    starts: tuple[int, ...]
    matrix: bytes | memoryview
    squares: tuple[float, ...]


def rows_of(store: Vectors) -> Rows:
    """The store as ``Rows`` (every card it has vectors for)."""
    import numpy as np

    paths = sorted(p for p, (_, keys) in store.cards.items() if keys)
    starts: list[int] = []
    blobs: list[bytes] = []
    for path in paths:
        starts.append(len(blobs))
        blobs += [store.vectors[k] for k in store.cards[path][1]]
    full = np.frombuffer(b"".join(blobs), dtype=np.float16).astype(np.float32)
    squares = (full.astype(np.float64).reshape(len(blobs) or 1, -1) ** 2).sum(axis=1)
    digests = tuple(store.cards[p][0] for p in paths)
    found = tuple(squares.tolist()) if blobs else ()
    return Rows(tuple(paths), digests, tuple(starts), full.tobytes(), found)


BLOCK = 4096  # rows turned to float64 at once (the whole matrix would double its memory)


def best_of_cards(
    rows: Rows,
    dims: int,
    chosen: Sequence[int],
    query: Sequence[float],
    mean_share: float = 0.0,
    exact: bool = True,
    digits: int | None = None,
) -> list[float]:
    """``core.dense.best_of_cards`` with numpy, for the ``chosen`` cards (indexes into
    ``rows.paths``). ``exact``: float64 dot products as there, so both round to the same
    scores; else float32 ones (~4x cheaper: 34 ms of CPU against 139 on 166,867 rows),
    for matrices the stdlib never scores, where only numpy has to agree with itself.
    The reductions are float64 either way. ``digits``: rounded as ``round`` would."""
    import numpy as np

    matrix = np.frombuffer(rows.matrix, dtype=np.float32).reshape(-1, dims)
    if exact:
        vector = np.asarray(query, dtype=np.float64)
        dots = np.empty(len(matrix), dtype=np.float64)
        for start in range(0, len(matrix), BLOCK):
            block = matrix[start : start + BLOCK].astype(np.float64)
            dots[start : start + BLOCK] = block @ vector
    else:
        dots = (matrix @ np.asarray(query, dtype=np.float32)).astype(np.float64)
    starts = np.asarray(rows.starts, dtype=np.int64)
    best = np.maximum.reduceat(dots, starts)
    if mean_share:
        mean = np.add.reduceat(dots, starts) / np.diff(np.append(starts, len(dots)))
        best = (best + mean_share * mean) / (1 + mean_share)
    if len(chosen) != len(best):
        best = best[np.asarray(chosen, dtype=np.int64)]
    found: list[float] = _rounded(best, digits).tolist() if digits is not None else best.tolist()
    return found


def leaders(scores: Sequence[float], limit: int) -> list[int]:
    """The indexes of the ``limit`` highest ``scores`` and of every score equal to the
    lowest of those (``core.dense.ranked`` breaks such ties by path): one partition,
    not a heap over every card."""
    import numpy as np

    values = np.asarray(scores, dtype=np.float64)
    if limit <= 0 or len(values) <= limit:
        return list(range(len(values)))
    cut = np.partition(values, len(values) - limit)[len(values) - limit]
    found: list[int] = np.nonzero(values >= cut)[0].tolist()
    return found


def _rounded(values: Any, digits: int) -> Any:
    """``round(v, digits)`` of each value, as Python rounds (the float nearest the decimal
    rounded half to even): numpy's scale-rint-divide, except for the values whose scaled
    form lies too near a half for float64 to say (those go through ``round``)."""
    import numpy as np

    scaled = values * 10.0**digits
    found = np.rint(scaled) / 10.0**digits
    near = np.nonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)[0]
    for i in near.tolist():
        found[i] = round(float(values[i]), digits)
    return found


def load_rows(folder: Path, model: str) -> Rows | None:
    """The rows kept in ``folder`` for ``model``; None when there are none, or the file
    is another model's, an older format's or damaged (its size disagrees with its
    header). The matrix is the file's mapped bytes: nothing reads what is not scored."""
    import marshal
    import mmap

    try:
        with open(folder / ROWS_FILE, "rb") as file:
            if file.read(len(MAGIC)) != MAGIC:
                return None
            size = int.from_bytes(file.read(8), "little")
            header = marshal.loads(file.read(size))
            if not (isinstance(header, tuple) and len(header) == 6):
                return None
            key, paths, digests, starts, squares, length = header
            start = _matrix_start(size)
            if key != (ROWS_VERSION, model) or os.fstat(file.fileno()).st_size != start + length:
                return None
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if length else b""
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return Rows(paths, digests, starts, memoryview(mapped)[start:], squares)


def _matrix_start(header_size: int) -> int:
    """Where the matrix begins: after the magic, the header's size and the header,
    aligned to 4 bytes (float32)."""
    end = len(MAGIC) + 8 + header_size
    return end + (-end % 4)


def _save_rows(folder: Path, model: str, rows: Rows) -> None:
    import marshal

    from kbcli.adapters.atomic_file import replace_cache

    key = (ROWS_VERSION, model)
    header = marshal.dumps(
        (key, rows.paths, rows.digests, rows.starts, rows.squares, len(rows.matrix))
    )
    pad = b"\0" * (_matrix_start(len(header)) - len(MAGIC) - 8 - len(header))
    if folder.is_dir():
        replace_cache(
            folder / ROWS_FILE,
            (MAGIC, len(header).to_bytes(8, "little"), header, pad, bytes(rows.matrix)),
        )
    (folder / OLD_ROWS_FILE).unlink(missing_ok=True)  # the previous format, read by no kb now


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

    _save_rows(folder, store.model, rows_of(store))  # first: a card the rows name
    # always has its vectors kept
    keyed_cache.save(
        folder / FILE, (VERSION, store.model), {"cards": store.cards, "vectors": store.vectors}
    )


def to_bytes(row: Any) -> bytes:
    """One float32 vector as the float16 bytes kept on disk (half the size, same ranking)."""
    import numpy as np

    return bytes(np.asarray(row, dtype=np.float16).tobytes())
