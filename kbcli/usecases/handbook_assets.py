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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kbcli.config import CONFIG_FILE, ROSTER_FILE

# Never copied even when a card links them: the roster holds e-mail addresses.
_PRIVATE = frozenset((CONFIG_FILE, ROSTER_FILE))


def referenced_files(root: Path, cards: Iterable[Any]) -> tuple[dict[str, Path], list[str]]:
    """``({repo-relative path: file}, ["card.md:LINE: ... does not exist"])``."""
    from kbcli.core.link_scan import LinkKind, scan

    base = root.resolve()
    found: dict[str, Path] = {}
    missing: list[str] = []
    for card in cards:
        for link in scan(card.body, with_headings=False).links:
            if link.kind is not LinkKind.PATH or link.target.endswith(".md"):
                continue
            if link.target.startswith("/"):
                continue  # site-absolute: served from elsewhere
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(card.path), link.target))
            parts = rel.split("/")
            if rel.startswith("..") or rel in _PRIVATE or any(p.startswith(".") for p in parts):
                continue
            path = root / rel
            if path.is_file() and path.resolve().is_relative_to(base):
                found[rel] = path
            elif not path.exists():
                what = "image" if link.image else "file"
                line = card.body_line + link.line - 1
                missing.append(f"{card.path}:{line}: {what} {link.target} does not exist")
    return found, missing
