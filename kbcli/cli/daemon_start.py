"""A search that ranks by meaning starts its repo's ``kb daemon`` in the background.

A one-shot search that ranks by meaning pays for loading the model and the vector rows
every time (+75-80 ms of CPU on an 850-page handbook, bench/README.md "Issue 12 B,
session 10"); a resident process pays once. So when such a search finds no daemon for
its repo, it answers by itself and then starts one in the background
(``start_for_search``): it never waits for it, and the searches after it go through it.
Exactly one per repo: the search takes the repo's daemon lock (``adapters.daemon_lock``)
and hands it to the process it starts, so a second search racing it starts nothing.
Such a daemon exits after ``[search] daemon_idle_minutes`` without a search.

Opt out with ``[search] start_daemon = false`` (``KB_SEARCH_START_DAEMON=false``), or
``KB_DAEMON=off``, which also keeps kb search from asking a daemon at all. A search
that ranks by words alone starts nothing: its one-shot path is already fast (and pays
here only for a few checks, no import beyond this module).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbcli.cli.context import RunContext

LOG_FILE = "daemon.log"  # in .kb/: what a daemon that a search started printed
READY = b"answering kb search"  # its first line, once it listens
STOPPED = b"kb daemon: stopped"  # its last line when stopped or idle (not when it failed)
RETRY_SECONDS = 60.0  # a daemon that failed to start is not started again for this long


def start_for_search(context: RunContext) -> None:
    """After a one-shot search answered: start this repo's daemon in the background when
    the search ranked by meaning and none runs (see the module). Never raises."""
    if os.environ.get("KB_DAEMON") == "off":
        return
    try:
        workspace = context.workspace  # already made by the search
    except Exception:
        return
    settings = workspace.config.search
    if not (settings.start_daemon and settings.semantic):  # before importing semantic
        return
    from kbcli.usecases import semantic

    if not semantic.in_use(workspace):
        return
    from kbcli.adapters import daemon_lock  # (fcntl: only now, not for a words-only search)

    root = os.fspath(workspace.root)
    try:
        lock = daemon_lock.take(root)
    except OSError:
        return  # a read-only repo: searches stay one-shot
    if lock is None:
        return  # a daemon runs, or is starting
    log = os.path.join(root, daemon_lock.CACHE_DIR, LOG_FILE)
    try:
        if not _failed_lately(log):
            sys.stdout.flush()  # the answer first: starting a process takes a millisecond
            sys.stderr.flush()
            _spawn(root, lock, log)
    except (OSError, NotImplementedError):  # (no setsid for posix_spawn on this system)
        pass  # searches stay one-shot; the lock is let go below
    finally:
        os.close(lock)  # the daemon holds its own copy now


def _failed_lately(log: str) -> bool:
    """Whether the last daemon a search started failed before it listened (its log says
    why), less than ``RETRY_SECONDS`` ago: then a search starts none (each would fail
    the same way, after seconds of loading)."""
    import time

    try:
        if time.time() - os.stat(log).st_mtime >= RETRY_SECONDS:
            return False
        with open(log, "rb") as file:
            said = file.read(1 << 16)
        # (an empty log: killed before it said anything, which is no reason to wait)
        return bool(said.strip()) and READY not in said and STOPPED not in said
    except OSError:
        return False


def _spawn(root: str, lock: int, log: str) -> None:
    """``kb daemon --started-by-search`` for ``root``, detached: its own session, no
    terminal, output to ``.kb/daemon.log``, and no file of this process open but the lock
    (a caller reading this search's output through a pipe must see it end)."""
    os.set_inheritable(lock, True)
    closes = [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited() if fd != lock]
    argv = [sys.executable, "-m", "kbcli", "--kb", root, "daemon", "--started-by-search"]
    os.posix_spawn(
        sys.executable,
        [*argv, "--lock-fd", str(lock)],
        dict(os.environ),
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_DUP2, 1, 2),
            *closes,
        ],
        setsid=True,
    )


def _inherited() -> list[int]:
    """This process's open descriptors above 2 that a child would inherit (ones its own
    parent passed down: Python opens everything close-on-exec)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return []
    found = []
    for name in names:
        fd = int(name)
        if fd > 2:
            try:
                if os.get_inheritable(fd):
                    found.append(fd)
            except OSError:
                continue  # the listing's own descriptor, closed since
    return found
