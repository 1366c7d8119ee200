"""Every card's links as last scanned, kept in ``.kb/links.marshal`` for ``kb check``.

Finding the links of 100,000 card bodies (code spans and fences masked first) was the
largest part of a warm ``kb check``. A body's links depend on nothing but the body, so
each card's are kept under the hash of its file's bytes (the per-card cache's) and the
file under kb's code; another hash, another kb or a damaged file means scanning again
(``checked_file``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kbcli.adapters import checked_file
from kbcli.core.link_scan import Link, LinkKind

FILE = "links.marshal"
_MAGIC = b"kblink01"

# path -> (digest of the card's bytes, encoded links)
Entry = tuple[bytes, tuple[tuple[Any, ...], ...]]

_KIND = {k.value: k for k in LinkKind}


def load(path: Path, key: Any) -> dict[str, Entry]:
    return checked_file.load(path, key, _MAGIC)


def save(path: Path, key: Any, entries: dict[str, Entry]) -> None:
    checked_file.save(path, key, entries, _MAGIC)


def encode(links: Sequence[Link]) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (link.kind.value, link.target, link.anchor, link.source, link.line, link.column, link.image)
        for link in links
    )


def decode(value: Sequence[Sequence[Any]]) -> tuple[Link, ...]:
    """The links ``encode`` kept (raises on a value of another shape)."""
    return tuple(
        Link(_KIND[kind], target, anchor, source, line, column, bool(image))
        for kind, target, anchor, source, line, column, image in value
    )
