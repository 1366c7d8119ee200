"""Where a capture's card goes: into the checkout (written atomically, then committed),
or onto a new review branch committed with git plumbing, the checkout untouched and
nothing checked out (the Slack app: a work tree of the whole repository per capture
cost seconds on tldr).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class CardWrite:
    """One card file a capture writes: its whole new text, whether the file is new, and
    the commit message saying why."""

    path: Path
    text: str
    new: bool
    message: str


def write(
    workspace: Workspace, change: CardWrite, branch: str | None, *, commit: bool
) -> str | None:
    """Write the change in the checkout and commit it (when ``commit``); with ``branch``,
    commit it on that new branch instead, refused as the checkout's write would be
    refused. The short commit id, or None when nothing was committed."""
    from kbcli.adapters import card_writer

    if branch is None:
        if change.new:
            card_writer.write_new(change.path, change.text)
        else:
            card_writer.write_atomic(change.path, change.text.encode(), root=workspace.root)
        if not commit:
            return None
        from kbcli.usecases.lifecycle import commit_paths

        return commit_paths(workspace.root, [change.path], change.message)
    from kbcli.adapters.git_commits import commit_to_new_branch

    real = card_writer.target_of(change.path, workspace.root, new=change.new)
    rel = real.resolve().relative_to(workspace.root.resolve()).as_posix()
    files = {rel: change.text.encode()}
    _, sha = commit_to_new_branch(workspace.root, branch, files, change.message, numbered=False)
    return sha[:7]
