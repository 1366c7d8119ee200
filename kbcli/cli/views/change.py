"""Terminal output of kb publish, archive and flag: one line per change."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from kbcli.cli.notices import say_if_on_no_branch
from kbcli.cli.output import console, print_json
from kbcli.usecases.lifecycle import Change


def print_change(change: Change, root: Path, *, as_json: bool = False, quiet: bool = False) -> None:
    """What changed and the commit, or why nothing changed (``--json``: the same as data;
    ``quiet``: only why nothing changed). ``root``: the repo, to warn of a detached HEAD."""
    say_if_on_no_branch(root, change.commit)
    if as_json:
        print_json(
            {
                "path": change.path,
                "title": change.title,
                "changed": change.changed,
                "detail": change.detail,
                "commit": change.commit,
            }
        )
        return
    out = console()
    if not change.changed:
        out.print(f"{escape(change.path)} {escape(change.detail)}; nothing changed", soft_wrap=True)
        return
    if quiet:
        return
    line = f"[bold]{escape(change.path)}[/]: {escape(change.detail)}"
    if change.commit:
        line += f"; committed {change.commit}"
    out.print(line, soft_wrap=True)
