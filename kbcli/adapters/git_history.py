"""Where a knowledge repo sits in git, and its history: one pass, kept in a cache.

The pass (``history_pass.py``) streams one ``git log`` over the whole history and
reads the card versions it names through one ``git cat-file`` (``blob_batch.py``),
never one git call per file. Its result is cached in ``.kb/history/`` under the
knowledge repo, keyed by the commit it covers (``history_cache.py``: a base file and
an append-only journal). The next run asks git only for the commits added since and
appends what they changed; when the cached tip is no longer an ancestor of HEAD
(rebase, force push, reset) the cache is thrown away and the history recomputed.
The models are built from the state on first use (``history_view.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kbcli.adapters import git_runner
from kbcli.adapters.history_cache import (
    CACHE_NAME,
    CACHE_VERSION,
    append_state,
    read_state,
    write_state,
)
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.history import RepoHistory

__all__ = [
    "CACHE_NAME",
    "GitPlace",
    "ShallowClone",
    "ShallowHint",
    "load_history",
    "locate",
    "uncommitted",
]

ShallowHint = (
    "this is a shallow clone, so git history is cut off and every card would look "
    "just edited: run 'git fetch --unshallow' (in GitHub Actions set 'fetch-depth: 0' "
    "on actions/checkout), or pass --allow-shallow to go on with incomplete history"
)


class ShallowClone(KbError):
    """The repository is a shallow clone and the caller did not allow it."""


class GitPlace(NamedTuple):
    """Where the knowledge repo sits in git: the top level, its prefix and HEAD."""

    toplevel: Path
    prefix: str
    head: str | None
    shallow: bool


def locate(root: Path) -> GitPlace | None:
    """The git facts of ``root``; None outside a git work tree.

    One ``git rev-parse`` for all four facts (it was two; every search pays for it):
    with ``--verify -q`` it exits 1 after the first three lines when there is no
    commit yet, and 128 outside a work tree. Without git, a folder with no ``.git``
    above it is simply not a repository, and one with a ``.git`` raises ``GitMissing``
    (reading it as "no history" would judge every card without its history); a
    repository of another user raises git's ``safe.directory`` advice.
    """
    try:
        result = git_runner.run(
            root,
            "rev-parse",
            "--show-toplevel",
            "--show-prefix",
            "--is-shallow-repository",
            "--verify",
            "-q",
            "HEAD^{commit}",
            read_only=True,
            check=False,
        )
    except git_runner.GitMissing:
        if _inside_dot_git(root):
            raise
        return None
    lines = git_runner.path(result.stdout).split("\n")
    if result.returncode not in (0, 1) or len(lines) < 3:
        return None
    toplevel, prefix = Path(lines[0]), lines[1].strip().rstrip("/")
    shallow = lines[2].strip() == "true"
    head = lines[3].strip() if result.returncode == 0 and len(lines) > 3 else ""
    return GitPlace(toplevel=toplevel, prefix=prefix, head=head or None, shallow=shallow)


def _inside_dot_git(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents))


def load_history(
    root: Path, cache_dir: Path | None = None, *, allow_shallow: bool = False
) -> RepoHistory | None:
    """The history of the knowledge repo at ``root``; None when it is not in a git repo.

    Raises ``ShallowClone`` (exit 2, with the fix) for a shallow clone unless
    ``allow_shallow``.
    """
    place = locate(root)
    if place is None:
        return None
    if place.shallow and not allow_shallow:
        raise ShallowClone(ShallowHint)
    cache = (cache_dir or root / ".kb") / CACHE_NAME
    state = update_state(root, place, cache)
    from kbcli.adapters.history_view import to_history

    return to_history(state)


def update_state(root: Path, place: GitPlace, cache: Path) -> dict[str, Any]:
    """Bring the cached pass up to HEAD: reuse it, extend it, or recompute it."""
    from kbcli.adapters.history_pass import HistoryPass

    state = read_state(cache, place.prefix, place.shallow)
    if place.head is None:
        return _empty_state(place)
    if state is not None and state["tip"] == place.head:
        return state
    if state is not None and state["tip"] and _is_ancestor(root, state["tip"], place.head):
        start = (state["tip"], len(state["commits"]), len(state["deleted"]))
        extension = HistoryPass(root, place.prefix, state)
        extension.run(f"{state['tip']}..{place.head}")
        state["tip"] = place.head
        append_state(cache, state, start, extension.dirty)
        return state
    from kbcli.adapters.worktree_blobs import index_blobs

    state = _empty_state(place)
    # A whole pass reads each card's last version from the work tree when the file is
    # still that version (an extension wants a few versions: not worth listing the index).
    HistoryPass(root, place.prefix, state).run(place.head, index_blobs(root))
    state["tip"] = place.head
    write_state(cache, state)
    return state


def _empty_state(place: GitPlace) -> dict[str, Any]:
    return {
        "version": CACHE_VERSION,
        "prefix": place.prefix,
        "tip": None,
        "shallow": place.shallow,
        "commits": [],
        "live": {},
        "deleted": [],
        "touched": {},
        "authors": {},
    }


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    result = git_runner.run(
        root, "merge-base", "--is-ancestor", old, new, read_only=True, check=False
    )
    return result.returncode == 0


def shallow_boundary(root: Path) -> frozenset[str]:
    """The commits a shallow clone has without their parents (git's ``shallow`` file)."""
    result = git_runner.run(root, "rev-parse", "--git-path", "shallow", read_only=True, check=False)
    if result.returncode != 0:
        return frozenset()
    name = Path(git_runner.path(result.stdout).strip())
    try:
        text = (name if name.is_absolute() else root / name).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def uncommitted(root: Path, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (relative to ``root``) differ from HEAD or are untracked."""
    if not paths:
        return set()
    result = git_runner.run(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        *paths,
        read_only=True,
        check=False,
    )
    if result.returncode != 0:
        return set()
    top = git_runner.run(root, "rev-parse", "--show-prefix", read_only=True, check=False)
    prefix = git_runner.path(top.stdout).strip()
    found = set()
    for entry in result.stdout.split(b"\0"):
        if len(entry) > 3:
            path = git_runner.path(entry[3:])
            found.add(path[len(prefix) :] if prefix and path.startswith(prefix) else path)
    return found
