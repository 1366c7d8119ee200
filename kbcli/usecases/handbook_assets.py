"""Images and attachments of the handbook: the local files the shown cards reference.

A card's ``![diagram](img/flow.png)`` or ``[form](forms/refund.pdf)`` pointed at
nothing in the built site: only pages were written. Each page lands at the card's
own path (``billing/x.md`` -> ``billing/x.html``), so a referenced file copied to its
repo-relative path keeps every relative URL valid without rewriting it. Only the
cards shown in this build count, so a public build copies only what public cards
reference. A reference to a file that does not exist is reported as ``file:line``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kbcli.config import CONFIG_FILE, ROSTER_FILE

# Never copied even when a card links them: the roster holds e-mail addresses.
_PRIVATE = frozenset((CONFIG_FILE, ROSTER_FILE))


def referenced_files(
    root: Path, refs: Iterable[tuple[str, Sequence[Sequence[Any]]]]
) -> tuple[dict[str, Path], list[str]]:
    """``({repo-relative path: file}, ["card.md:LINE: ... does not exist"])`` for the shown
    cards' links to files: ``refs`` holds (card path, [[target, image, file line], ...]),
    as ``handbook_bodies.link_facts`` found them (kept per card between builds)."""
    base = root.resolve()
    found: dict[str, Path] = {}
    missing: list[str] = []
    for card_path, links in refs:
        for target, image, line in links:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(card_path), target))
            parts = rel.split("/")
            if rel.startswith("..") or rel in _PRIVATE or any(p.startswith(".") for p in parts):
                continue
            path = root / rel
            if path.is_file() and path.resolve().is_relative_to(base):
                found[rel] = path
            elif not path.exists():
                what = "image" if image else "file"
                missing.append(f"{card_path}:{line}: {what} {target} does not exist")
    return found, missing
