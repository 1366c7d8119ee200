"""What a branch changed: the files of ``REF...HEAD`` plus uncommitted work, for PR mode.

``kb check --changed-since main`` asks git three questions, each one process:
``git diff --name-status -M REF...HEAD`` (what the branch committed since it left
REF), ``git diff --name-status -M HEAD`` (staged and unstaged edits) and
``git ls-files --others`` (new files not added yet). Renames are detected so that a
moved card counts as removed at its old path, which is how links to it break. The
old versions of changed cards come from one ``git cat-file --batch``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.adapters import git_runner
from kbcli.errors import KbError

if TYPE_CHECKING:
    import subprocess


@dataclass
class Changes:
    """Paths relative to the knowledge repo root."""

    base: str  # the merge base of REF and HEAD
    changed: set[str] = field(default_factory=set)  # added, modified, renamed or copied to
    removed: set[str] = field(default_factory=set)  # deleted, or renamed away from
    renamed: dict[str, str] = field(default_factory=dict)  # old -> new

    def apply(self, entries: Iterable[tuple[str, str, str | None]]) -> None:
        for status, path, new in entries:
            if status in ("R", "C") and new is not None:
                if status == "R":
                    self.changed.discard(path)
                    self.removed.add(path)
                    self.renamed[path] = new
                self.changed.add(new)
                self.removed.discard(new)
            elif status == "D":
                self.changed.discard(path)
                self.removed.add(path)
            else:
                self.changed.add(path)
                self.removed.discard(path)


def _git(
    root: Path,
    *args: str,
    input: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    return git_runner.run(
        root, "-c", "diff.renames=true", *args, input=input, read_only=True, check=False
    )


def changes_since(root: Path, ref: str) -> Changes:
    """Files changed on this branch since it left ``ref``, committed or not."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise KbError(
            f"{root} is not in a git repository, so --changed-since has nothing to compare; "
            "run kb check without it"
        )
    if _git(root, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}").returncode != 0:
        raise KbError(
            f"--changed-since {ref}: git knows no such commit or branch; fetch it first "
            f"(git fetch origin {ref}), and in CI check out with full history "
            "(GitHub Actions: fetch-depth: 0)"
        )
    head = _git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    if head.returncode != 0:
        raise KbError("--changed-since needs at least one commit on this branch")
    base = _git(root, "merge-base", ref, "HEAD")
    if base.returncode != 0:
        raise KbError(
            f"--changed-since {ref}: {ref} and HEAD share no history here; in a shallow clone "
            "fetch the full history (git fetch --unshallow; GitHub Actions: fetch-depth: 0)"
        )
    changes = Changes(git_runner.path(base.stdout).strip())
    committed = _git(root, "diff", "--relative", "--name-status", "-z", "-M", f"{ref}...HEAD")
    _checked(committed, root, "diff")
    changes.apply(_name_status(committed.stdout))
    working = _git(root, "diff", "--relative", "--name-status", "-z", "-M", "HEAD")
    _checked(working, root, "diff")
    changes.apply(_name_status(working.stdout))
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    _checked(untracked, root, "ls-files")
    changes.apply(("A", p, None) for p in _split(untracked.stdout))
    return changes


def old_versions(root: Path, commit: str, paths: Iterable[str]) -> dict[str, bytes]:
    """The content of ``paths`` (relative to ``root``) at ``commit``; absent ones left out."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    prefix = git_runner.path(_git(root, "rev-parse", "--show-prefix").stdout).strip()
    request = "".join(f"{commit}:{prefix}{p}\n" for p in wanted)
    done = _git(root, "cat-file", "--batch", input=os.fsencode(request))
    _checked(done, root, "cat-file")
    found: dict[str, bytes] = {}
    data, offset = done.stdout, 0
    for path in wanted:
        end = data.index(b"\n", offset)
        header = data[offset:end].split()
        offset = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        found[path] = data[offset : offset + size]
        offset += size + 1
    return found


def _checked(done: subprocess.CompletedProcess[bytes], root: Path, what: str) -> None:
    if done.returncode != 0:
        raise git_runner.failure([what], done.stderr, root)


def _split(data: bytes) -> list[str]:
    return [p for p in git_runner.path(data).split("\0") if p]


def _name_status(data: bytes) -> list[tuple[str, str, str | None]]:
    fields = git_runner.path(data).split("\0")
    entries: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in ("R", "C"):
            entries.append((status, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            entries.append((status, fields[i + 1], None))
            i += 2
    return entries
