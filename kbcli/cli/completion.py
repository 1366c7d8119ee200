"""Shell completion of what kb's arguments name: cards, enum values, templates.

Typer calls these while the user presses Tab (``kb --install-completion`` sets the
shell up), so they must be quick, silent and never fail: any problem (not in a
knowledge repo, a broken kb.toml) completes nothing rather than printing an error
into the user's prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

# Above this many cards, completion offers paths only: reading every card's front
# matter for its aliases would make Tab wait.
ALIAS_LIMIT = 5000


def _workspace(ctx: typer.Context) -> Workspace | None:
    from kbcli.cli.context import RunContext

    root = ctx.find_root()
    params = root.params or {}
    try:
        return RunContext(kb_dir=params.get("kb"), today_text=params.get("today")).workspace
    except Exception:  # completion must never break the prompt
        return None


def _starting(values: Iterable[str], incomplete: str) -> list[str]:
    return sorted({v for v in values if v.startswith(incomplete)})


def card_refs(ctx: typer.Context, incomplete: str) -> list[str]:
    """Card paths (with and without .md) and aliases that start with what was typed."""
    workspace = _workspace(ctx)
    if workspace is None:
        return []
    try:
        paths = workspace.card_files.paths()
        names = list(paths)
        if len(paths) <= ALIAS_LIMIT:
            names += [a for card in workspace.catalog for a in card.meta.aliases]
    except Exception:
        return []
    return _starting(names, incomplete)


def templates(ctx: typer.Context, incomplete: str) -> list[str]:
    """The card templates of this repo (built in and its own templates/ folder)."""
    workspace = _workspace(ctx)
    if workspace is None:
        return []
    try:
        return _starting(workspace.card_templates().available(), incomplete)
    except Exception:
        return []


def choices(values: Iterable[str]) -> Callable[[str], list[str]]:
    """Completion of a fixed set of values (an option that takes one of a few words)."""
    fixed = tuple(values)

    def complete(incomplete: str) -> list[str]:
        return _starting(fixed, incomplete)

    return complete
