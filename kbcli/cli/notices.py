"""Warnings a command owes its user after a use case read the git history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbcli.core.people import skipped_checks

if TYPE_CHECKING:
    from pathlib import Path

    from kbcli.workspace import Workspace


def say_history_notices(workspace: Workspace) -> None:
    """Warn on stderr when the history the cards were judged on came from a shallow clone."""
    if not workspace.history_loaded:
        return
    from kbcli.cli.output import warn
    from kbcli.usecases.health import history_notices

    for notice in history_notices(workspace.history):
        warn(notice)


def say_skipped_checks(workspace: Workspace) -> None:
    """Warn on stderr when ✔ rests on dates alone: without a roster nobody checked who
    stamped a card (kb check and kb report say so; a reader of kb list, kb show or kb
    search must hear it too)."""
    from kbcli.cli.output import warn

    for note in skipped_checks(workspace.config.roster):
        warn(f"skipped {note}")


def say_if_on_no_branch(root: Path, commit: str | None) -> None:
    """Warn when kb's commit went onto a detached HEAD (a checkout of a tag or an old
    commit, a rebase stopped halfway): "committed abc" alone reads as done, yet the
    commit is on no branch and is lost from view at the next git switch."""
    if not commit:
        return
    from kbcli.adapters.git_commits import on_no_branch
    from kbcli.cli.output import warn

    if on_no_branch(root):
        warn(
            f"HEAD is detached: commit {commit[:10]} is on no branch, and git loses sight of "
            f"it when you switch away; keep it with git switch -c NAME (or git branch NAME "
            f"{commit[:10]})"
        )
