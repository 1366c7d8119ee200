"""The one way kb runs git: shared options, one environment, errors a user can act on.

In the way of pre-commit's ``git.py``: every git process kb starts gets its command line
from ``argv`` and its environment from ``environment``, and every failure becomes a
``KbError`` (exit 2) in ``failure``:

- git not on PATH: "git is not installed";
- a repository owned by another user: git's own ``safe.directory`` advice, not "not a
  git repository";
- a held lock (``index.lock``, a ref's ``.lock``): the file named, and when it is safe to
  delete it;
- a commit whose branch moved while it ran (another ``kb verify`` committed first): made
  again on top;
- outside a work tree: "not in a git repository".

Shared options: paths are never quoted (``core.quotepath=off``; with ``-z`` they come as
bytes and are decoded with ``surrogateescape`` by ``path``), no signature checks or colour
in output meant for kb, and ``--no-optional-locks`` for read-only commands, so a search
never takes git's index lock from under a commit. ``LC_ALL=C.UTF-8`` (without
``LANGUAGE``) keeps git's messages in English, which is how they are recognised here,
while hooks still run in a UTF-8 locale.

The streamed history pass (``git_history``) and the per-search status check
(``git_status``) start their own processes (a pipe read while git runs; a bare
``posix_spawn``, because importing ``subprocess`` costs a search ~9 ms) but with the
same command line and environment (``git_command``, apart so that the status check
loads nothing else before git starts).
"""

from __future__ import annotations

import os

from kbcli.adapters.git_command import OPTIONS, READ_ONLY, argv, environment
from kbcli.errors import KbError

__all__ = ["OPTIONS", "READ_ONLY", "argv", "environment"]  # with the names defined below

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence
    from pathlib import Path

TIMEOUT = 600.0  # seconds: a hung git (a remote, a lock) must not hang kb for ever


class GitError(KbError):
    """git failed in a way the user can fix (exit 2)."""


class GitMissing(GitError):
    """No git executable on PATH."""


class NotARepository(GitError):
    """The folder is not in a git work tree."""


class UnsafeRepository(GitError):
    """git refuses the repository: it belongs to another user (``safe.directory``)."""


class LockHeld(GitError):
    """git could not take a lock: ``path`` exists (another git process, or a crashed one)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class RefMoved(GitError):
    """A commit could not move its branch: another commit moved it first (git compares
    the branch with what it read when the commit began, and changes nothing else)."""


def git_missing() -> GitMissing:
    """The one error for a machine without git (exit 2)."""
    return GitMissing("git is not installed (or not on PATH): install git to use this command")


_LOCK = r"Unable to create '([^']+\.lock)': File exists"
_DUBIOUS = r"dubious ownership in repository at '([^']+)'"
_MOVED = r"cannot lock ref '([^']+)': is at [0-9a-f]+ but expected [0-9a-f]+"


def failure(
    args: Sequence[str], stderr: bytes | str, where: Path | str, consequence: str = ""
) -> GitError:
    """The error a user reads for a failed ``git ARGS`` run in ``where``.

    ``consequence`` says what it means for kb's work ("the card files were changed but
    not committed") and ends every message but the ones about the environment.
    """
    import re
    from pathlib import Path

    text = stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")
    after = f"; {consequence}" if consequence else ""
    dubious = re.search(_DUBIOUS, text)
    if dubious:
        advice = next((ln.strip() for ln in text.splitlines() if "safe.directory" in ln), "")
        return UnsafeRepository(
            f"git refuses to work in {dubious.group(1)}: the repository belongs to another "
            "user, and git runs only in repositories you own or have marked safe. If you "
            f"trust it, run: {advice or 'git config --global --add safe.directory PATH'}"
        )
    lock = re.search(_LOCK, text)
    if lock:
        path = Path(lock.group(1))
        return LockHeld(
            f"git {args[0]} failed: {path} exists, so another git command holds the lock "
            "(another kb verify, an editor, an IDE), and it was still held after kb waited "
            f"{LOCK_WAIT:.0f} s. Wait for it and try again; if no git command is running, a "
            f"crashed one left the file and it is safe to delete{after}",
            path,
        )
    moved = re.search(_MOVED, text)
    if moved:
        return RefMoved(
            f"git {args[0]} failed: {moved.group(1)} kept moving while kb committed (other "
            f"commits landed at the same moment) for {LOCK_WAIT:.0f} s; try again{after}"
        )
    if "not a git repository" in text:
        return NotARepository(
            f"{where} is not in a git repository: run kb inside your knowledge repo's "
            f"git checkout (git init to start one){after}"
        )
    lines = text.strip().splitlines()
    last = lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else "no output"
    return GitError(f"git {args[0]} failed: {last}{after}")


def run(
    cwd: Path | str,
    *args: str,
    read_only: bool = False,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    consequence: str = "",
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` and wait; with ``check``, a failure raises ``failure``.

    Whatever ``check`` says, git missing raises ``GitMissing`` and a repository of
    another user ``UnsafeRepository``: no caller should read either as "no repository".
    A command that found a lock held (another ``kb verify`` committing at the same
    moment) is run again with backoff for up to ``LOCK_WAIT`` seconds: git takes its
    lock before it changes anything, so the failed attempt did nothing. A lock file no
    process holds open is a crashed git's leftover: it is removed, once, and git retried.
    So is a ``commit`` whose branch another commit moved while it ran (``RefMoved``).
    """
    waited, attempt, removed = 0.0, 0, False
    while True:
        done = _run_once(cwd, args, read_only, input, env, timeout)
        if done.returncode == 0:
            return done
        error = failure(args, done.stderr, cwd, consequence)
        if isinstance(error, LockHeld) and not removed and lock_is_stale(error.path):
            removed = _remove_stale(error.path)
            if removed:
                continue
        # Two kb verify committing at once: the one that moved HEAD second fails without
        # a trace (its commit object is unreferenced, the index as before), so commit
        # again on top of the other. Only ``commit``: it reads the branch itself; a
        # caller that names the expected value (update-ref) wants the refusal.
        retry = isinstance(error, LockHeld) or (isinstance(error, RefMoved) and args[0] == "commit")
        if retry and waited < LOCK_WAIT:
            pause = _backoff(attempt)
            _sleep(pause)
            waited, attempt = waited + pause, attempt + 1
            continue
        if check or isinstance(error, UnsafeRepository):
            raise error
        return done


LOCK_WAIT = 15.0  # seconds a write waits for another git command's lock


def _backoff(attempt: int) -> float:
    """0.05 s doubling to 1 s, with jitter so two waiting processes do not retry in step."""
    import random

    return min(0.05 * 2**attempt, 1.0) * random.uniform(0.5, 1.5)


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def lock_is_stale(path: Path, *, settle: float = 2.0) -> bool:
    """Whether git's lock file ``path`` is a leftover: older than ``settle`` seconds and
    open in no process (Linux ``/proc``; elsewhere, or when some process cannot be
    inspected, never stale). A live git keeps its lock file open until it renames it."""
    import time

    try:
        age = time.time() - os.stat(path).st_mtime
    except OSError:
        return False
    if age < settle or not os.path.isdir("/proc/self/fd"):
        return False
    target = os.path.realpath(path)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        folder = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(folder)
        except FileNotFoundError:
            continue  # exited meanwhile
        except PermissionError:
            return False  # another user's process might hold it
        for fd in fds:
            try:
                if os.readlink(f"{folder}/{fd}") == target:
                    return False
            except OSError:
                continue
    return True


def sweep_partial_commit_indexes(git_dir: Path, *, settle: float = 2.0) -> int:
    """Remove ``next-index-PID.lock`` files that a killed ``git commit -- PATHS`` left in
    ``git_dir``; return how many. git names the file after its own pid and never looks at
    another pid's, so a dead pid's file is only litter (seen once in 100 kill -9 trials
    of ``kb verify``). A live pid's file, or one younger than ``settle``, is kept."""
    import time

    removed = 0
    for path in git_dir.glob("next-index-*.lock"):
        pid = path.name[len("next-index-") : -len(".lock")]
        try:
            if not pid.isdigit() or time.time() - path.stat().st_mtime < settle:
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            removed += _remove_stale(path)
        except OSError:
            continue  # alive (another user's) or gone meanwhile
    return removed


def _remove_stale(path: Path) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def _run_once(
    cwd: Path | str,
    args: Sequence[str],
    read_only: bool,
    input: bytes | None,
    env: Mapping[str, str] | None,
    timeout: float,
) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        return subprocess.run(
            argv(*args, read_only=read_only),
            cwd=cwd,
            input=input,
            capture_output=True,
            env=environment(env),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise _not_found(cwd) from None
    except subprocess.TimeoutExpired:
        stopped = f"git {args[0]} took over {timeout:.0f} s in {cwd} and was stopped"
        raise GitError(stopped) from None


def output(cwd: Path | str, *args: str, read_only: bool = False, consequence: str = "") -> str:
    """The standard output of a successful ``git ARGS``, decoded, without its last newline."""
    done = run(cwd, *args, read_only=read_only, consequence=consequence)
    return path(done.stdout).rstrip("\n")


def popen(
    cwd: Path | str,
    *args: str,
    read_only: bool = False,
    stdin: bool = False,
    stderr: bool = True,
) -> subprocess.Popen[bytes]:
    """Start ``git ARGS`` with its output (and ``stdin`` when asked) as pipes; ``stderr``
    a pipe too (for ``failure``; the caller drains it) or dropped. Git missing raises
    ``GitMissing``."""
    import subprocess

    try:
        return subprocess.Popen(
            argv(*args, read_only=read_only),
            cwd=cwd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stderr else subprocess.DEVNULL,
            env=environment(),
        )
    except FileNotFoundError:
        raise _not_found(cwd) from None


_GIT_DIRS: dict[Path, Path] = {}


def git_dir(root: Path) -> Path:
    """The git folder of the repository at ``root`` (``.git``, or a linked worktree's
    own), asked once per process: it does not move while kb runs."""
    from pathlib import Path

    if root not in _GIT_DIRS:
        done = run(root, "rev-parse", "--absolute-git-dir", read_only=True)
        _GIT_DIRS[root] = Path(path(done.stdout).strip())
    return _GIT_DIRS[root]


def path(raw: bytes) -> str:
    """A path (or any text) as git printed it: UTF-8, with undecodable bytes kept as
    surrogates, so the name round-trips to the file system (``os.fsencode``)."""
    return raw.decode("utf-8", "surrogateescape")


def _not_found(cwd: Path | str) -> GitError:
    """Python says FileNotFoundError both for a missing git and a missing folder."""
    if not os.path.isdir(cwd):
        return GitError(f"{cwd} does not exist or is not a folder")
    return git_missing()
