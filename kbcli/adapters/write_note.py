"""A note in the git folder while a kb command edits cards it will then commit.

``kb reassign``, ``kb verify``, ``kb adopt``, ``kb import``, ``kb publish`` and
``kb archive`` write their cards, then commit exactly those files. Killed in between
(SIGKILL, a power cut, Ctrl-C at the wrong moment), the edited cards stayed uncommitted
and the next run could not tell them from the user's own edits: ``kb reassign`` said
"no card has 'ana' as owner" and stopped, ``kb adopt`` counted them as cards already and
committed only the rest. Each command now leaves a note naming its cards (one file per
process, so two ``kb verify`` at once never share one) and removes it once committed. The
next command that writes finds the note of a process that is gone and stops with what
to do, until those cards are committed or undone; kb never commits them for the user,
since only the user can tell the interrupted edits from their own.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.adapters import atomic_file, git_runner
from kbcli.errors import KbError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

PREFIX = "kb-writing-"
SHOWN = 5  # paths named in the message; the count says how many more


@dataclass(frozen=True)
class Stopped:
    """A kb command that edited cards and ended before its commit."""

    command: str
    pid: int
    paths: tuple[str, ...]  # those still different from HEAD


@contextlib.contextmanager
def writing(
    root: Path, command: str, paths: Sequence[str], *, commit: bool = True, resumes: bool = False
) -> Iterator[None]:
    """Note that ``command`` (``kb reassign``) is about to edit ``paths`` (relative to
    ``root``) and commit them; the note goes once the block ends normally (nothing is
    noted without ``commit``). Refuses to start while a stopped command's cards are
    uncommitted, unless ``resumes``: a command that commits every changed card it is
    given (``kb verify``) finishes a stopped run of itself on the same cards."""
    if not commit:
        yield
        return
    refuse_if_stopped(root, command if resumes else None, paths)
    note = git_runner.git_dir(root) / f"{PREFIX}{os.getpid()}.json"
    body = {"command": command, "pid": os.getpid(), "paths": sorted(set(paths))}
    atomic_file.replace_file(note, json.dumps(body).encode())
    yield
    _forget(note)


def refuse_if_stopped(root: Path, resuming: str | None = None, paths: Sequence[str] = ()) -> None:
    """A ``KbError`` saying what to do when a stopped command left uncommitted cards
    (those of a stopped ``resuming`` command that ``paths`` all hold are taken over)."""
    stopped = find_stopped(root, resuming, set(paths))
    if stopped is None:
        return
    shown = ", ".join(stopped.paths[:SHOWN])
    more = f" and {len(stopped.paths) - SHOWN} more" if len(stopped.paths) > SHOWN else ""
    lock = _break_stale_index_lock(root)
    raise KbError(
        f"{stopped.command} (process {stopped.pid}) stopped before its commit: "
        f"{len(stopped.paths)} file(s) it changed are not committed ({shown}{more}). "
        f"{lock}See them with 'git status' and 'git diff'; commit them ('git commit -- "
        "FILES') or undo them ('git restore FILES', or delete the new ones); then run "
        f"{stopped.command} again"
    )


def find_stopped(
    root: Path, resuming: str | None = None, taken: set[str] | frozenset[str] = frozenset()
) -> Stopped | None:
    """The first note left by a process that is gone whose files still differ from
    HEAD; notes whose files were committed or undone since are removed, and so are those
    of a stopped ``resuming`` command whose files ``taken`` all holds."""
    from kbcli.adapters.git_history import uncommitted

    try:
        notes = sorted(git_runner.git_dir(root).glob(f"{PREFIX}*.json"))
    except KbError:
        return None
    for note in notes:
        try:
            body = json.loads(note.read_text(encoding="utf-8"))
            command, pid, paths = str(body["command"]), int(body["pid"]), list(body["paths"])
        except (OSError, ValueError, KeyError, TypeError):
            _forget(note)  # unreadable: a note is only a hint, never a reason to stop
            continue
        if pid != os.getpid() and atomic_file.alive(pid):
            continue  # another kb is writing right now
        left = sorted(uncommitted(root, [str(p) for p in paths]))
        if not left or (command == resuming and set(left) <= taken):
            _forget(note)
            continue
        return Stopped(command, pid, tuple(left))
    return None


def _forget(note: Path) -> None:
    with contextlib.suppress(OSError):
        note.unlink()


def _break_stale_index_lock(root: Path) -> str:
    """git's ``index.lock`` left by a killed ``git commit`` would stop the user's own
    commit; removed when no process holds it (as kb's git runner does before its own)."""
    lock = git_runner.git_dir(root) / "index.lock"
    if lock.exists() and git_runner.lock_is_stale(lock):
        with contextlib.suppress(OSError):
            lock.unlink()
            return "git's index.lock it left was removed. "
    return ""
