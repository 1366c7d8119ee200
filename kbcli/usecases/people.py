"""kb people suggest: git authors the roster does not know yet, for the team to accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kbcli.core.people import suggest_handle

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class PersonSuggestion:
    handle: str
    name: str
    emails: tuple[str, ...]
    commits: int
    last: datetime


def suggest_people(workspace: Workspace, *, min_commits: int = 1) -> list[PersonSuggestion]:
    """Authors (merged by e-mail and name) with no roster entry, most commits first."""
    from kbcli.adapters.git_authors import all_authors
    from kbcli.adapters.git_commits import in_git_repo
    from kbcli.errors import KbError

    if not in_git_repo(workspace.root):
        raise KbError(f"{workspace.root} is not in a git repository: there are no authors to list")
    roster = workspace.config.roster
    taken = set(roster.people) | set(roster.teams)
    found = []
    for author in all_authors(workspace.root):
        known = any(roster.handle_for(author.name, e) for e in author.emails)
        if known or author.commits < min_commits:
            continue
        handle = suggest_handle(author.name, author.emails[0] if author.emails else "", taken)
        taken.add(handle)
        found.append(
            PersonSuggestion(handle, author.name, author.emails, author.commits, author.last)
        )
    return found
