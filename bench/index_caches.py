"""Compare what two cold ``kb index --rebuild`` runs wrote, entry by entry and in order.

A change to how documents are built must leave them, their order and every cache a
rebuild writes as they were: ``.kb/index/documents.marshal``, ``.kb/cards.marshal``,
``.kb/languages.marshal`` and the body files ``.kb/bodies/NN.marshal``. Their keys name
kb's modules (size, mtime), so two versions of kb never write byte-identical files; this
compares the entries. Exit 0 when all are the same, 1 otherwise.

Usage: python bench/index_caches.py KB_DIR_A KB_DIR_B   (each a repo's ``.kb`` folder,
or a copy of those files in the same layout)
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def documents(kb: Path) -> list[Any]:
    """The documents' entries (records after the magic: a length and a marshal value each,
    the first the fingerprint)."""
    data = (kb / "index" / "documents.marshal").read_bytes()
    body = memoryview(data)[8:-4]
    at, found = 0, []
    while at < len(body):
        size = int.from_bytes(body[at : at + 4], "big")
        value = marshal.loads(body[at + 4 : at + 4 + size])
        if at:
            found.extend(value.items())
        at += 4 + size
    return found


def cards(kb: Path) -> list[Any]:
    _fingerprint, _written, kept = marshal.loads(
        memoryview((kb / "cards.marshal").read_bytes())[12:]
    )
    return list(kept.items())


def languages(kb: Path) -> list[Any]:
    _key, value = marshal.loads((kb / "languages.marshal").read_bytes())
    return list(value.items())


def bodies(kb: Path) -> list[Any]:
    found = []
    for path in sorted((kb / "bodies").glob("*.marshal")):
        _key, entries = marshal.loads(memoryview(path.read_bytes())[12:])
        found += [(path.name, *entry) for entry in entries.items()]
    return found


def main() -> int:
    first, second = Path(sys.argv[1]), Path(sys.argv[2])
    readers: dict[str, Callable[[Path], list[Any]]] = {
        "documents": documents,
        "cards": cards,
        "languages": languages,
        "bodies": bodies,
    }
    differing = 0
    for name, read in readers.items():
        a, b = read(first), read(second)
        bad = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
        print(f"{name}: {len(a)} / {len(b)} entries, {len(bad)} differing in order")
        if bad or len(a) != len(b):
            differing += 1
            if bad:
                print(f"  first: {bad[0][0]!r:.300}\n  other: {bad[0][1]!r:.300}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
