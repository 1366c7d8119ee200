"""Starting, running, showing and stopping a repo's ``kb daemon``.

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
that ranks by words alone starts nothing: its one-shot path is already fast.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from kbcli.adapters import daemon_lock

if TYPE_CHECKING:
    from kbcli.adapters.daemon_lock import Holder
    from kbcli.cli.context import RunContext

LOG_FILE = "daemon.log"  # in .kb/: what a daemon that a search started printed
READY = b"answering kb search"  # its first line, once it listens
STOPPED = b"kb daemon: stopped"  # its last line when stopped or idle (not when it failed)
RETRY_SECONDS = 60.0  # a daemon that failed to start is not started again for this long
STOP_SECONDS = 10.0  # how long kb daemon --stop waits for the daemon to let go of its lock


def start_for_search(context: RunContext) -> None:
    """After a one-shot search answered: start this repo's daemon in the background when
    the search ranked by meaning and none runs (see the module). Never raises."""
    if os.environ.get("KB_DAEMON") == "off":
        return
    try:
        workspace = context.workspace  # already made by the search
    except Exception:
        return
    if not workspace.config.search.start_daemon:
        return
    from kbcli.usecases import semantic

    if not semantic.in_use(workspace):
        return
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
    """Whether the last daemon a search started failed before it listened, less than
    ``RETRY_SECONDS`` ago: then a search starts none (each would fail the same way,
    after seconds of loading), and the log keeps saying why."""
    import time

    try:
        if time.time() - os.stat(log).st_mtime >= RETRY_SECONDS:
            return False
        with open(log, "rb") as file:
            said = file.read(1 << 16)
        return READY not in said and STOPPED not in said
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


def run(context: RunContext, *, verbose: bool, by_search: bool, lock: int | None) -> None:
    """``kb daemon``: answer searches until stopped (or idle, when a search started it)."""
    import signal

    from kbcli.cli.output import console
    from kbcli.cli.search_daemon import SearchDaemon

    def answered(argv: list[str], code: int, seconds: float) -> None:
        print(f"{' '.join(argv)} -> exit {code} in {seconds * 1000:.1f} ms", flush=True)

    def terminated(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops it as ^C does: the socket is removed

    signal.signal(signal.SIGTERM, terminated)
    idle = context.workspace.config.search.daemon_idle_minutes if by_search else 0.0
    if by_search:  # detached: hold no other folder open (one the user may delete)
        os.chdir(context.workspace.root)
    kind = daemon_lock.BY_SEARCH if by_search else daemon_lock.BY_HAND
    server: SearchDaemon | None = None
    try:
        server = SearchDaemon(
            context.kb_dir, answered if verbose else None, kind=kind, lock=lock, idle_minutes=idle
        )
        root = server.root
        server.serve_forever(
            lambda: console().print(
                f"kb daemon: {READY.decode()} for {root} (Ctrl-C to stop)", soft_wrap=True
            )
        )
    except KeyboardInterrupt:
        if server is not None:
            server.close()
    reason = f": {server.ended}" if server is not None and server.ended else ""
    console().print(f"{STOPPED.decode()}{reason}", soft_wrap=True)


def status(context: RunContext) -> int:
    """``kb daemon --status``: who answers this repo's searches (exit 1: nobody)."""
    from kbcli.cli.output import console

    root = _root(context)
    found = daemon_lock.holder(root)
    console().print(describe(found, root), soft_wrap=True)
    return 0 if found is not None else 1


def describe(found: Holder | None, root: str) -> str:
    if found is None:
        return f"no kb daemon runs for {root}"
    if not found.pid:
        return f"a kb daemon is starting for {root}"
    if found.kind == daemon_lock.BY_SERVE:
        return f"kb serve (pid {found.pid}) answers kb search for {root}"
    text = f"kb daemon (pid {found.pid}) answers kb search for {root}"
    text += f" ({found.answered} search{'es' if found.answered != 1 else ''} so far)"
    if found.kind == daemon_lock.BY_SEARCH:
        text += "; a search started it"
        if found.idle_minutes:
            text += f", and it exits after {found.idle_minutes:g} minutes without a search"
    return text


def stop(context: RunContext) -> int:
    """``kb daemon --stop``: stop this repo's kb daemon and wait until it is gone."""
    import contextlib
    import signal
    import time

    from kbcli.cli.output import console
    from kbcli.errors import KbError

    root = _root(context)
    deadline = time.monotonic() + STOP_SECONDS
    found = daemon_lock.holder(root)
    while found is not None and not found.pid and time.monotonic() < deadline:
        time.sleep(0.05)  # starting: it says who it is once its socket listens
        found = daemon_lock.holder(root)
    if found is None:
        console().print(describe(None, root), soft_wrap=True)
        return 0
    if found.kind == daemon_lock.BY_SERVE:
        raise KbError(f"{describe(found, root)}: stop it where it runs (Ctrl-C)")
    if not found.pid:
        raise KbError(f"the kb daemon of {root} did not finish starting; try again")
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(found.pid, signal.SIGTERM)
    while daemon_lock.holder(root) is not None:
        if time.monotonic() > deadline:
            raise KbError(f"kb daemon (pid {found.pid}) did not stop in {STOP_SECONDS:g} s")
        time.sleep(0.05)
    console().print(f"stopped kb daemon (pid {found.pid}) of {root}", soft_wrap=True)
    return 0


def _root(context: RunContext) -> str:
    from pathlib import Path

    from kbcli.config import find_root

    return os.fspath(find_root(Path.cwd(), context.kb_dir))
