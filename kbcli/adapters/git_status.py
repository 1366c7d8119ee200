"""What git already knows about changed files: a cheap freshness check for big repos.

``git status`` compares the working tree with git's index using git's own stat cache
(in C, in parallel), so asking it which files changed is several times faster than
stat-ing every card from Python. kb falls back to its own scan whenever git is not
available or the knowledge repo is not a git work tree with a commit.

``git status`` is also the slowest step of a search in a big repo (one ``lstat`` per
tracked file), so ``start`` launches it without waiting: ``kb search`` starts it
before importing anything heavy and reads the answer only when it needs it, letting
git and Python work at the same time.
"""

from __future__ import annotations

import os
import subprocess

TYPE_CHECKING = False  # not typing's: this module loads before git status starts
if TYPE_CHECKING:
    from pathlib import Path

_STATUS = ("status", "--porcelain=v2", "--branch", "--no-ahead-behind", "-z", "-uall")
_STATUS_ARGS = (*_STATUS, "--no-renames", "--", ".")


class GitView:
    """HEAD's commit id, and the paths under the kb root (relative to it) that differ from it.

    A plain class, not a dataclass: this module loads before anything else in a search.
    """

    __slots__ = ("dirty", "head")

    def __init__(self, head: str, dirty: frozenset[str]) -> None:
        self.head = head
        self.dirty = dirty


def _command(*args: str) -> list[str]:
    return ["git", "--no-optional-locks", *args]


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            _command(*args),
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "surrogateescape")


def _prefix(root: str) -> str | None:
    """``root`` relative to its git work tree ("" at the top), found without running git."""
    here = folder = os.path.realpath(root)
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    if folder == here:
        return ""
    return os.path.relpath(here, folder).replace(os.sep, "/") + "/"


class PendingView:
    """A ``git status`` of one knowledge repo that is running; ``result`` waits for it."""

    def __init__(self, root: str | Path) -> None:
        self.root = os.fspath(root)
        self._prefix = _prefix(self.root)
        self._process: subprocess.Popen[bytes] | None = None
        self._view: GitView | None = None
        self._done = self._prefix is None
        if self._done:
            return
        try:
            self._process = subprocess.Popen(
                _command(*_STATUS_ARGS),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._done = True

    def result(self) -> GitView | None:
        """HEAD and the changed files (None if git is unavailable or there is no commit)."""
        if not self._done:
            self._done = True
            self._view = self._read()
        return self._view

    def cancel(self) -> None:
        """Stop git if nobody will read its answer (git status writes nothing: safe to kill)."""
        if not self._done and self._process is not None:
            self._done = True
            self._process.kill()
            self._process.communicate()

    def _read(self) -> GitView | None:
        process = self._process
        assert process is not None and self._prefix is not None
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None
        if process.returncode != 0:
            return None
        return _parse_status(out.decode("utf-8", "surrogateescape"), self._prefix)


def start(root: str | Path) -> PendingView:
    """Launch ``git status`` for ``root`` now; read it later with ``.result()``."""
    return PendingView(root)


def view(root: Path) -> GitView | None:
    """HEAD and the changed, added, deleted and untracked files under ``root``; None if no git.

    One ``git status --porcelain=v2 --branch`` call gives both HEAD and the changes.
    """
    return start(root).result()


def _parse_status(out: str, prefix: str) -> GitView | None:
    head = ""
    dirty = set()
    for entry in out.split("\0"):
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :].strip()
            continue
        if entry.startswith(("1 ", "u ")):
            path = entry.split(" ", 8 if entry[0] == "1" else 10)[-1]
        elif entry.startswith("? "):
            path = entry[2:]
        else:
            continue
        if path.startswith(prefix):
            dirty.add(path[len(prefix) :])
    if len(head) < 40:  # "(initial)": no commit yet
        return None
    return GitView(head, frozenset(dirty))


def changed_between(root: Path, old: str, new: str) -> set[str] | None:
    """Paths under ``root`` (relative to it) that differ between two commits; None if unknown."""
    out = _git(root, "diff", "--name-only", "-z", "--no-renames", "--relative", old, new, "--", ".")
    if out is None:
        return None
    return {p for p in out.split("\0") if p}
