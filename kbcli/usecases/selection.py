"""PATH arguments (files, folders, globs) as card paths, with errors that say what is wrong.

``kb adopt``, ``kb verify`` and ``kb reassign`` take the same kinds of argument; this
is the one place that turns them into repo-relative card paths. A path outside the
configured card folders is an error that names the folders, never "0 cards".
``named_cards`` adds what ``kb show`` and ``kb history`` accept for one card (a file
name, an alias or a title): before, ``kb reassign`` refused ``download-invoices.md``
that ``kb verify`` and ``kb show`` found.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace

_GLOB_CHARS = frozenset("*?[")


def is_glob(arg: str) -> bool:
    return any(ch in arg for ch in _GLOB_CHARS)


def is_folder_or_glob(workspace: Workspace, arg: str) -> bool:
    """Whether ``arg`` names many cards (a folder or a glob) rather than one card."""
    return is_glob(arg) or (workspace.cwd / Path(arg).expanduser()).is_dir()


def named_cards(workspace: Workspace, refs: Sequence[str]) -> list[Card]:
    """The cards CARD/PATH arguments name: every card of a folder or glob, else the one
    card a path, file name, alias or title names (``Workspace.card``)."""
    found: dict[str, Card] = {}
    for ref in refs:
        if is_folder_or_glob(workspace, ref):
            for path in select_card_paths(workspace, [ref]):
                card = workspace.catalog.get(path)
                if card is not None:
                    found[path] = card
        else:
            card = workspace.card(ref)
            found[card.path] = card
    return list(found.values())


def select_card_paths(workspace: Workspace, args: Sequence[str]) -> list[str]:
    """Every card path the arguments name, sorted, each once (all cards when none given)."""
    everything = workspace.card_files.paths()
    if not args:
        return everything
    chosen: set[str] = set()
    for arg in args:
        found = _expand(workspace, arg, everything)
        if not found:
            raise KbError(f"no card file matches {arg}{folders_hint(workspace)}")
        chosen.update(found)
    return sorted(chosen)


def _expand(workspace: Workspace, arg: str, everything: list[str]) -> list[str]:
    root = workspace.root.resolve()
    if is_glob(arg):
        base = workspace.cwd.resolve()
        pattern = os.path.normpath(base / arg) if not Path(arg).is_absolute() else arg
        if not Path(pattern).is_relative_to(root):
            raise KbError(f"{arg} is outside the knowledge repo {root}")
        rel_pattern = Path(pattern).relative_to(root).as_posix()
        return [p for p in everything if fnmatch.fnmatchcase(p, rel_pattern)]
    target = (workspace.cwd / Path(arg).expanduser()).resolve()
    if not target.is_relative_to(root):
        raise KbError(f"{arg} is outside the knowledge repo {root}")
    if not target.exists():
        raise KbError(f"{arg} does not exist")
    rel = target.relative_to(root).as_posix()
    if target.is_dir():
        if rel == ".":
            return everything
        found = [p for p in everything if p.startswith(rel + "/")]
        if not found and not _inside_card_folders(workspace, rel + "/x.md"):
            raise KbError(f"{arg} is outside the card folders{folders_hint(workspace)}")
        return found
    if not workspace.card_files.is_card_path(rel):
        raise KbError(f"{arg} is not a card file{folders_hint(workspace)}")
    return [rel]


def _inside_card_folders(workspace: Workspace, rel: str) -> bool:
    return workspace.card_files.is_card_path(rel)


def folders_hint(workspace: Workspace) -> str:
    cards = workspace.config.cards
    folders = ", ".join(cards.folders)
    ignored = ", ".join(cards.ignore)
    return (
        f" (kb.toml [cards] folders = {folders}; ignored: {ignored}; "
        "only .md files outside templates/ and hidden folders are cards)"
    )
