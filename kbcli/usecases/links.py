"""The one link resolver of a knowledge repo, as ``kb check``, PR mode, the editor
integrations and the handbook build all use it.

Every caller judges links against the same cards *and* the same other files (images,
attachments, READMEs), so a link ``kb check`` calls broken is the link ``kb build``
reports and renders as broken, and no other.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.config import ALWAYS_IGNORED
from kbcli.core.cards import Card
from kbcli.core.links import LinkResolver

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


def other_files(root: Path) -> set[str]:
    """Repo-relative paths of every file under ``root`` (images, attachments, READMEs)."""
    found: set[str] = set()
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, base).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and not (not rel and d in ALWAYS_IGNORED)
        ]
        found.update(f"{rel}/{name}" if rel else name for name in filenames)
    return found


def link_resolver(
    workspace: Workspace, cards: Sequence[Card], files: Collection[str] | None = None
) -> LinkResolver:
    """The resolver over ``cards`` and the repo's other files (listed when not given)."""
    return LinkResolver(
        cards,
        files=other_files(workspace.root) if files is None else files,
        site_roots=workspace.config.cards.folders,
        wiki_text_first=workspace.config.cards.wikilinks == "text-first",
    )
