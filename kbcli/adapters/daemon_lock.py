"""The one resident search process of a repo: an advisory lock in ``.kb/daemon.lock``.

The process that answers ``kb search`` for a repo (``kb daemon``, ``kb serve``) holds an
exclusive ``flock`` on this file for its whole life, and writes there who it is. The
kernel drops the lock when that process ends, however it ends (``kill -9`` included), so
a lock is never stale: whoever can take it knows that no resident process runs. A search
that starts a daemon takes the lock first and hands it to the daemon it starts, so two
searches racing start one daemon, and nothing starts while a daemon is still loading.

"""

import fcntl
import os
from typing import NamedTuple

from kbcli.repo_root import CACHE_DIR

LOCK_FILE = "daemon.lock"
# Who holds the lock: the third word of its line.
BY_SEARCH = "search"  # a kb daemon a search started (it exits when idle)
BY_HAND = "daemon"  # a kb daemon someone started
BY_SERVE = "serve"  # kb serve's search thread


class Holder(NamedTuple):
    pid: int  # 0 while the process that took the lock has not said who it is yet
    kind: str
    idle_minutes: float  # it exits after this long without a search (0: never)
    answered: int  # searches it answered so far


def path(root: str) -> str:
    return os.path.join(root, CACHE_DIR, LOCK_FILE)


def take(root: str) -> int | None:
    """The lock's open file descriptor, held; None when a resident process holds it.
    Raises OSError when the cache folder cannot be written."""
    os.makedirs(os.path.join(root, CACHE_DIR), exist_ok=True)
    fd = os.open(path(root), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)  # the last holder's pid is no one's now (``holder``: "starting")
    return fd


def claim(fd: int, kind: str, idle_minutes: float = 0.0, answered: int = 0) -> None:
    """Say in the held lock file who holds it and how many searches it answered (read by
    ``holder``); written in place, never emptied, so a reader never sees it blank."""
    line = f"{os.getpid()} {kind} {idle_minutes:g} {answered}\n".encode()
    os.pwrite(fd, line, 0)
    os.ftruncate(fd, len(line))


def holder(root: str) -> Holder | None:
    """Who holds the lock of ``root``; None when nobody does (or it cannot be told)."""
    try:
        fd = take(root)
    except OSError:
        return None
    if fd is not None:
        os.close(fd)  # free: nobody holds it (and this process let go at once)
        return None
    try:
        with open(path(root), encoding="utf-8") as file:
            words = file.read().split()
    except OSError:
        words = []
    if len(words) != 4 or not words[0].isdigit():  # taken, not yet claimed (starting)
        return Holder(0, BY_SEARCH, 0.0, 0)
    try:
        minutes = float(words[2])
    except ValueError:
        minutes = 0.0
    answered = int(words[3]) if words[3].isdigit() else 0
    return Holder(int(words[0]), words[1], minutes, answered)
