"""Finding the card files to index: one ``os.scandir`` walk, one stat per file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kbcli.core.naming import plain_names, shown_path

if TYPE_CHECKING:
    from kbcli.adapters.card_files import CardFiles


def scan_cards(card_files: CardFiles, known: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Every card path with (size, mtime_ns), by ``os.scandir``: one stat per card file.

    Paths the manifest already knows skip the ignore patterns (they passed them when
    indexed; a change of patterns changes the manifest key and forces a rebuild).
    """
    from kbcli.config import ALWAYS_IGNORED

    root = card_files.root.resolve()
    found: dict[str, tuple[int, int]] = {}
    ignore = None
    names = plain_names(card_files.config.cards.ignore)  # a set look-up, not gitignore's rules
    for folder in card_files.config.cards.folders:
        base = (root / folder).resolve()
        if not base.is_dir() or not base.is_relative_to(root):
            continue
        rel_base = base.relative_to(root).as_posix()
        stack = [(str(base), "" if rel_base == "." else rel_base)]
        while stack:
            directory, rel_dir = stack.pop()
            try:
                entries = os.scandir(directory)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    rel = f"{rel_dir}/{name}" if rel_dir else name
                    if entry.is_dir(follow_symlinks=False):
                        if not (rel_dir == "" and name in ALWAYS_IGNORED):
                            stack.append((entry.path, rel))
                        continue
                    if not name.endswith(".md"):
                        continue
                    if not rel.isascii():
                        rel = shown_path(rel)  # a name that is not UTF-8: as the reader
                    if rel in found:
                        continue
                    if rel not in known:
                        if names is not None:
                            if not names.isdisjoint(rel.split("/")):
                                continue
                        else:
                            ignore = ignore if ignore is not None else card_files.ignore
                            if ignore.match_file(rel):
                                continue
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    found[rel] = (st.st_size, st.st_mtime_ns)
    return found
