"""Terminal output of kb publish, archive and flag: one line per change."""

from __future__ import annotations

from rich.markup import escape

from kbcli.lifecycle import Change
from kbcli.output import console


def print_change(change: Change) -> None:
    """What changed and the commit, or why nothing changed."""
    out = console()
    if not change.changed:
        out.print(f"{escape(change.path)} {escape(change.detail)}; nothing changed", soft_wrap=True)
        return
    line = f"[bold]{escape(change.path)}[/]: {escape(change.detail)}"
    if change.commit:
        line += f"; committed {change.commit}"
    out.print(line, soft_wrap=True)
