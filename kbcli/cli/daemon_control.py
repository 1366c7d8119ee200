"""Running, showing and stopping a repo's ``kb daemon``.

By hand (``kb daemon``), or started by a search that ranks by meaning (``daemon_start``:
it passes ``--started-by-search`` and the repo's daemon lock, already taken). Whoever
runs it holds ``.kb/daemon.lock`` and writes there its pid, who started it and how many
searches it answered: ``kb daemon --status`` reads that, ``kb daemon --stop`` signals it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from kbcli.adapters import daemon_lock
from kbcli.cli.daemon_start import READY, STOPPED

if TYPE_CHECKING:
    from kbcli.adapters.daemon_lock import Holder
    from kbcli.cli.context import RunContext

STOP_SECONDS = 10.0  # how long kb daemon --stop waits for the daemon to let go of its lock


def run(context: RunContext, *, verbose: bool, by_search: bool, lock: int | None) -> None:
    """``kb daemon``: answer searches until stopped (or idle, when a search started it)."""
    import signal

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
            lambda: _say(f"kb daemon: {READY.decode()} for {root} (Ctrl-C to stop)")
        )
    except KeyboardInterrupt:
        if server is not None:
            server.close()
    reason = f": {server.ended}" if server is not None and server.ended else ""
    _say(f"{STOPPED.decode()}{reason}")


def _say(line: str) -> None:
    """One line now, not when a buffer fills: a search reads a started daemon's log
    (``daemon_start._failed_lately``), and a daemon killed later never flushes."""
    from kbcli.cli.output import console

    console().print(line, soft_wrap=True)
    sys.stdout.flush()


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
