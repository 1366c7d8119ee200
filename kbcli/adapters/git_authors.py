"""Who wrote what, from ``git log``: per-file and per-folder commit counts, and every author.

``kb adopt`` asks who changed each file (or its folder) most in a recent window;
``kb people suggest`` asks who ever committed. Both are one ``git log`` each, read as
a stream: on the tldr-pages bundle (13,918 commits) the full-history author list is
one pass, and the windowed per-file pass only reads the commits of the window.
Merges are skipped: they repeat changes their parents already made. Bots
(``github-actions[bot]``, dependabot...) are skipped: they own nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from kbcli.adapters import git_runner
from kbcli.core.adopt import AuthorTally
from kbcli.core.history import BASELINE_KEY, IMPORT_KEY
from kbcli.core.people import is_bot


@dataclass
class Authorship:
    """Commit tallies per file and per folder (the file's own folder), repo-relative."""

    files: dict[str, list[AuthorTally]] = field(default_factory=dict)
    folders: dict[str, list[AuthorTally]] = field(default_factory=dict)


@dataclass(frozen=True)
class GitAuthor:
    """One author as ``kb people suggest`` lists them: identities merged by e-mail and name."""

    name: str
    emails: tuple[str, ...]
    commits: int
    last: datetime


# Commits kb adopt and kb import made (their trailers, ``core.history``): front matter
# added, link tags rewritten, cards brought from another tool. Whoever ran kb did not
# write those files: counted, a second ``kb adopt`` proposed the adopter as the owner of
# every card. A message that only quotes a trailer line is left out too: one commit
# less of evidence, never an owner proposed without any.
_NOT_KBS_OWN = (
    "--invert-grep",
    "--extended-regexp",
    f"--grep=^({BASELINE_KEY}|{IMPORT_KEY}): ",
)


def authorship(root: Path, since: date) -> Authorship:
    """Non-merge commits since ``since`` that touched files under ``root``, counted
    (but not the commits kb adopt and kb import made).

    A file's tally follows it through renames (``git mv``): who wrote it before the move
    counts for it under its name today, and the move itself (content unchanged) counts
    for no one."""
    files: dict[str, dict[tuple[str, str], list[int]]] = {}
    folders: dict[str, dict[tuple[str, str], list[int]]] = {}
    args = ["log", "--no-merges", f"--since={since.isoformat()}", "--relative", *_NOT_KBS_OWN]
    args += ["-M", "--name-status", "--format=%x1e%aN%x1f%aE%x1f%at", "--", "."]
    renamed: dict[str, str] = {}  # an older name -> the file's name today
    for header, lines in _commits(root, args):
        name, email, when = header
        who = (name, email.lower())
        seen_folders = set()
        for path in _authored(lines, renamed):
            _tally(files.setdefault(path, {}), who, when)
            seen_folders.add(path.rpartition("/")[0])
        for folder in seen_folders:
            _tally(folders.setdefault(folder, {}), who, when)
    return Authorship(_freeze(files), _freeze(folders))


def _authored(lines: list[str], renamed: dict[str, str]) -> list[str]:
    """The files (by today's name) a commit's ``--name-status`` lines changed; renames are
    recorded in ``renamed`` as the log goes back in time."""
    paths = []
    for line in lines:
        status, _, names = line.partition("\t")
        if status.startswith(("R", "C")):
            old, _, new = names.partition("\t")
            today = renamed.get(new, new)
            if status.startswith("R"):
                renamed[old] = today
            if status != "R100":
                paths.append(today)
        elif names:
            paths.append(renamed.get(names, names))
    return paths


def all_authors(root: Path) -> list[GitAuthor]:
    """Every author of the repository, merged by e-mail and then by name, most commits first."""
    merged: list[dict[str, object]] = []
    by_email: dict[str, dict[str, object]] = {}
    by_name: dict[str, dict[str, object]] = {}
    for (name, email, when), _ in _commits(
        root, ["log", "--no-merges", "--format=%x1e%aN%x1f%aE%x1f%at"]
    ):
        key_email, key_name = email.lower(), name.strip().casefold()
        entry = by_email.get(key_email) or (by_name.get(key_name) if key_name else None)
        if entry is None:
            entry = {"name": name, "emails": [], "commits": 0, "last": 0}
            merged.append(entry)
        emails = entry["emails"]
        assert isinstance(emails, list)
        if email and key_email not in (e.lower() for e in emails):
            emails.append(email)
        entry["commits"] = int(str(entry["commits"])) + 1
        entry["last"] = max(int(str(entry["last"])), when)
        by_email[key_email] = entry
        if key_name:
            by_name.setdefault(key_name, entry)
    authors = [
        GitAuthor(
            str(e["name"]),
            tuple(str(x) for x in e["emails"]),  # type: ignore[attr-defined]
            int(str(e["commits"])),
            datetime.fromtimestamp(int(str(e["last"])), UTC),
        )
        for e in merged
    ]
    return sorted(authors, key=lambda a: (-a.commits, a.name.casefold()))


def _tally(counts: dict[tuple[str, str], list[int]], who: tuple[str, str], when: int) -> None:
    entry = counts.setdefault(who, [0, 0])
    entry[0] += 1
    entry[1] = max(entry[1], when)


def _freeze(table: dict[str, dict[tuple[str, str], list[int]]]) -> dict[str, list[AuthorTally]]:
    return {
        key: [AuthorTally(name, email, n, last) for (name, email), (n, last) in counts.items()]
        for key, counts in table.items()
    }


def _commits(root: Path, args: list[str]) -> Iterator[tuple[tuple[str, str, int], list[str]]]:
    """``((name, e-mail, unix time), [paths])`` per commit of a ``%x1e``-separated log."""
    result = git_runner.run(root, *args, read_only=True, check=False)
    if result.returncode != 0:
        if b"does not have any commits" in result.stderr:
            return
        raise git_runner.failure(args, result.stderr, root)
    for record in git_runner.path(result.stdout).split("\x1e")[1:]:
        head, _, rest = record.partition("\n")
        parts = head.split("\x1f")
        if len(parts) != 3 or not parts[2].strip().isdigit():
            continue
        if is_bot(parts[0], parts[1]):
            continue  # automation owns nothing and is nobody to add to the roster
        paths = [line for line in rest.splitlines() if line.strip()]
        yield (parts[0], parts[1], int(parts[2])), paths
