"""Adoption: which owner and which front matter kb suggests for an existing markdown file.

An owner suggestion always carries its evidence, because a team reviews the plan
before anything is written. The sources are tried in a fixed order, most explicit
first: an owner already in the file, CODEOWNERS (last matching rule wins, owners
mapped through the roster), the git history of the file, then of its folder (the
roster person with the most commits in the window; people who left and authors the
roster does not know are skipped), then a folder default from kb.toml.

Pure: the adapters count the commits and match the CODEOWNERS patterns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kbcli.core.codeowners import OwnerRule, owner_handle
from kbcli.core.history import BASELINE_KEY, BASELINE_VALUE
from kbcli.core.link_scan import prose_mask
from kbcli.core.naming import slugify
from kbcli.core.people import Roster

# The keys adoption writes, in the order a new header lists them.
ADOPT_KEYS = ("title", "owner", "tags", "status", "verified_at")
BASELINE_TRAILER = f"{BASELINE_KEY}: {BASELINE_VALUE}"


@dataclass(frozen=True)
class Suggestion:
    """An owner for one file and why: ``source`` is a stable word, ``reason`` for people."""

    owner: str | None
    source: str  # existing | codeowners | history | folder-history | folder-default | none
    reason: str


@dataclass(frozen=True)
class AuthorTally:
    """Commits one git identity made to a file or folder inside the history window."""

    name: str
    email: str
    commits: int
    last: int  # unix time of the newest of those commits


@dataclass(frozen=True)
class Evidence:
    """What the adapters found for one file; ``folder_default`` comes from kb.toml."""

    codeowners: OwnerRule | None = None
    codeowners_file: str = "CODEOWNERS"
    file_authors: Sequence[AuthorTally] = ()
    folder: str = ""
    folder_authors: Sequence[AuthorTally] = ()
    folder_default: tuple[str, str] | None = None  # (owner, where it is set)
    window: str = "in the history window"


def suggest_owner(evidence: Evidence, roster: Roster, today: date) -> Suggestion:
    """The first source that names an owner the roster accepts, with its evidence."""
    rejected: list[str] = []
    if evidence.codeowners is not None:
        found = _from_codeowners(evidence, roster, rejected)
        if found:
            return found
    for authors, source, where in (
        (evidence.file_authors, "history", "this file"),
        (evidence.folder_authors, "folder-history", f"folder {evidence.folder or '.'}/"),
    ):
        picked = top_author(authors, roster, today)
        if picked:
            handle, commits, total = picked
            return Suggestion(
                handle,
                source,
                f"{commits} of {total} commits to {where} {evidence.window}",
            )
        if authors:
            rejected.append(f"no author of {where} is a current person in people.yaml")
    if evidence.folder_default:
        owner, where = evidence.folder_default
        return Suggestion(owner, "folder-default", f"default owner set in {where}")
    if not rejected:
        rejected.append(f"no CODEOWNERS rule and no commits {evidence.window}")
    return Suggestion(None, "none", "; ".join(rejected) + "; set [adopt] owner in kb.toml")


def _from_codeowners(evidence: Evidence, roster: Roster, rejected: list[str]) -> Suggestion | None:
    rule = evidence.codeowners
    assert rule is not None
    where = f"{evidence.codeowners_file}:{rule.line} ({rule.pattern})"
    if not rule.owners:
        rejected.append(f"{where} names no owner")
        return None
    for owner in rule.owners:
        handle = map_owner(owner, roster)
        if handle:
            return Suggestion(handle, "codeowners", f"{where} {owner}")
    rejected.append(f"{where}: {' '.join(rule.owners)} not in people.yaml")
    return None


def map_owner(owner: str, roster: Roster) -> str | None:
    """A CODEOWNERS owner as a roster handle or team; as written when there is no roster."""
    handle, email = owner_handle(owner)
    if not roster.people:
        return handle or None
    if email:
        mapped = roster.handle_for(None, email)
        if mapped:
            return mapped
    return handle if roster.knows(handle) else None


def top_author(
    authors: Sequence[AuthorTally], roster: Roster, today: date
) -> tuple[str, int, int] | None:
    """``(handle, their commits, all commits)`` of the current roster person who made most."""
    per_handle: dict[str, tuple[int, int]] = {}
    total = 0
    for tally in authors:
        total += tally.commits
        handle = roster.handle_for(tally.name, tally.email)
        person = roster.people.get(handle) if handle else None
        if person is None or (person.left is not None and person.left <= today):
            continue
        commits, last = per_handle.get(person.handle, (0, 0))
        per_handle[person.handle] = (commits + tally.commits, max(last, tally.last))
    if not per_handle:
        return None
    handle, (commits, _) = max(per_handle.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
    return handle, commits, total


def folder_tags(path: str, card_folders: Sequence[str]) -> list[str]:
    """Tags from the card's folder: the name of the folder it sits in (none at the top)."""
    folder = path.rpartition("/")[0]
    for base in card_folders:
        base = base.strip("/")
        if base not in ("", ".") and (folder == base or folder.startswith(base + "/")):
            folder = folder[len(base) :].strip("/")
            break
    if not folder:
        return []
    return [slugify(folder.rpartition("/")[2])]


# Obsidian's inline tag: after a space or at a line's start, letters, digits, _ - and /
# (nested tags), not only digits (``#123`` is no tag); ``# Heading`` has its space.
_INLINE_TAG = re.compile(r"(?:^|(?<=\s))#([\w/-]+)", re.MULTILINE)


def inline_tags(body: str) -> list[str]:
    """The ``#tags`` an Obsidian note writes in its text, in order, once each; code,
    HTML comments and URLs' fragments are not tags."""
    found: list[str] = []
    for match in _INLINE_TAG.finditer(prose_mask(body)):
        tag = match[1].strip("/-")
        if tag and not tag.isdigit() and tag not in found:
            found.append(tag)
    return found


def adopted_status(extra: Mapping[str, object]) -> str:
    """``draft`` for a page its site generator does not publish (Hugo and Docusaurus
    ``draft: true``, Jekyll ``published: false``): adopting it must not publish it."""
    if extra.get("draft") is True or extra.get("published") is False:
        return "draft"
    return "published"


def missing_fields(
    present: Mapping[str, object],
    *,
    title: str,
    owner: str | None,
    tags: Sequence[str],
    verified_at: date | None,
    status: str = "published",
) -> dict[str, object]:
    """The adoption keys ``present`` lacks, in header order; existing keys are never touched."""
    wanted: dict[str, object] = {
        "title": title,
        "owner": owner,
        "tags": list(tags),
        "status": status,
        "verified_at": verified_at,
    }
    return {
        key: value
        for key, value in wanted.items()
        if key not in present and value not in (None, [])
    }
