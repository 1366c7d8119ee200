"""The resident side of ``kb search``: a Unix socket answered with the index kept open.

``kb daemon`` runs this in the foreground; ``kb serve`` runs it in a thread next to
its web server. Each connection carries one command line (see
``kbcli.cli.search_client`` for the wire format); it is parsed by the same parser as
the one-shot fast path and rendered by the same view, into buffers that go back to
the client, so the output is the one-shot output byte for byte. Anything this side
cannot answer exactly as the one-shot path would (another repo, another kb version or
``KB_*`` environment, a command line the fast path does not take) is sent back as
"fallback" and the client runs it itself.

Requests are answered one at a time: a search takes milliseconds, and the index, the
workspace and the redirected standard streams are then never shared between threads.

One resident process per repo: it holds ``.kb/daemon.lock`` (``adapters.daemon_lock``)
while it lives. It stops when the repo is gone, and, when a search started it, after
``[search] daemon_idle_minutes`` without a search or once a search of another kb version
asks (that search then starts a daemon of its own version).
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from kbcli.adapters import daemon_lock
from kbcli.cli import search_client as client
from kbcli.cli.context import RunContext
from kbcli.errors import KbError
from kbcli.repo_root import CONFIG_FILE
from kbcli.usecases.resident_index import ResidentIndex

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

FALLBACK = b"fallback\n"
CHECK_SECONDS = 1.0  # how often the daemon looks whether it should stop


class DaemonRunning(KbError):
    """Another kb daemon (or kb serve) already answers searches for this repo."""


def bind(root: str) -> socket.socket:
    """The socket for ``root``, bound (it listens once the index is ready: until then a
    search is refused at once and answers by itself); a dead daemon's file is replaced."""
    folder = client.runtime_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not client.private(folder):
        raise KbError(f"{folder} is open to other users; kb keeps its search socket elsewhere")
    path = client.socket_path(root)
    if os.path.exists(path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)  # nobody listens: a daemon that died
        else:
            raise DaemonRunning(f"a kb daemon already answers searches for {root} ({path})")
        finally:
            probe.close()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    return listener


class SearchDaemon:
    """Answers ``kb search`` command lines for one repo until ``stop``."""

    def __init__(
        self,
        kb_dir: str | None,
        on_answer: Callable[[list[str], int, float], None] | None = None,
        *,
        kind: str = daemon_lock.BY_HAND,
        lock: int | None = None,
        idle_minutes: float = 0.0,
    ) -> None:
        """``on_answer(argv, exit code, seconds)`` is told of every search answered here.

        ``kind`` says who runs it (``daemon_lock.BY_*``); ``lock`` is the repo's daemon
        lock when the search that started this process took it already; after
        ``idle_minutes`` without a search it stops (0: never)."""
        self.kb_dir = kb_dir
        self.on_answer = on_answer
        self.kind = kind
        self.idle_minutes = idle_minutes
        self.idle_seconds = idle_minutes * 60.0
        self.answered = 0
        self.resident = ResidentIndex(self._workspace)
        self.root = os.fspath(self.resident.root)
        self.environment = client.kb_environment()
        self.lock = lock if lock is not None else _take_lock(self.root)
        try:
            self.listener = bind(self.root)
        except BaseException:
            self._release()
            raise
        if self.lock is not None:
            daemon_lock.claim(self.lock, kind, idle_minutes)
        self.path = client.socket_path(self.root)
        self.last_answer = time.monotonic()
        self.ended = ""  # why it stopped by itself ("" while it runs, or when stopped)
        self._obsolete = False  # a search of another kb version asked (see ``_watch``)
        self._server: socketserver.UnixStreamServer | None = None

    def _workspace(self, today: date | None) -> Workspace:
        context = RunContext(kb_dir=self.kb_dir, today_text=today.isoformat() if today else None)
        return context.workspace

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Sync the index, start watching, load what a search needs, then listen (and
        call ``on_ready``) and answer until ``stop`` (or ^C)."""
        daemon = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                data = b"".join(iter(lambda: self.connection.recv(1 << 16), b""))
                self.wfile.write(daemon.answer(data))

        server = socketserver.UnixStreamServer(self.path, Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = self.listener
        self._server = server
        self.resident.start()
        self.listener.listen(16)
        if on_ready is not None:
            on_ready()
        self.last_answer = time.monotonic()  # idle from now, not from before the sync
        watchdog = threading.Thread(target=self._watch, name="kb-daemon-watch", daemon=True)
        watchdog.start()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def _watch(self) -> None:
        """Stop when the repo is gone, or idle too long, or obsolete (see the module)."""
        config = os.path.join(self.root, CONFIG_FILE)
        while self._server is not None:
            time.sleep(CHECK_SECONDS)
            if not os.path.isfile(config):
                self.ended = f"{self.root} is no longer a knowledge repo"
            elif self.idle_seconds and time.monotonic() - self.last_answer > self.idle_seconds:
                self.ended = f"no search for {self.idle_seconds / 60:g} minutes"
            elif self._obsolete:
                self.ended = "a search of another kb version asked"
            if self.ended:
                self.stop()
                return

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def close(self) -> None:
        self.resident.stop()
        self.listener.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self._release()  # last: a daemon started after this one binds a new socket

    def _release(self) -> None:
        if self.lock is not None:
            with contextlib.suppress(OSError):
                os.close(self.lock)
            self.lock = None

    def answer(self, data: bytes) -> bytes:
        """The answer to one request (never raises: a failure is a fallback)."""
        fields = data.decode("utf-8", "surrogateescape").split("\0")
        if len(fields) < 8 or fields[0] != client.PROTOCOL:
            return FALLBACK
        from kbcli import __version__
        from kbcli.cli.fast_search import parse

        version, root, environment, out_tty, _err_tty, terminal, columns = fields[1:8]
        options = parse(fields[8:])
        if version != __version__ and self.kind == daemon_lock.BY_SEARCH:
            self._obsolete = True
        if (version, root, environment) != (__version__, self.root, self.environment):
            return FALLBACK
        if options is None:
            return FALLBACK
        started = time.perf_counter()
        try:
            answer = self._search(options, out_tty == "1", terminal, columns)
        except Exception:  # the client then runs it and reports any error itself
            return FALLBACK
        if answer != FALLBACK:
            self.last_answer = time.monotonic()
            self.answered += 1
            if self.lock is not None:  # for kb daemon --status
                with contextlib.suppress(OSError):
                    daemon_lock.claim(self.lock, self.kind, self.idle_minutes, self.answered)
        if self.on_answer is not None and answer != FALLBACK:
            code = int(answer.split(b" ", 1)[0])
            self.on_answer(fields[8:], code, time.perf_counter() - started)
        return answer

    def _search(self, options: dict[str, object], tty: bool, terminal: str, columns: str) -> bytes:
        from kbcli.cli.fast_search import search_arguments
        from kbcli.cli.views.search import search_command

        context = RunContext(kb_dir=self.kb_dir, today_text=options["today"])  # type: ignore[arg-type]
        try:
            today = context.today  # per request: a daemon outlives midnight
        except KbError:
            return FALLBACK  # the client reports the bad date itself
        workspace, index = self.resident.current(today)
        context = RunContext(kb_dir=self.kb_dir, today_text=context.today_text, resident=workspace)
        env = dict(item.split("=", 1) for item in terminal.split("\x1f") if "=" in item)
        if tty and "FORCE_COLOR" not in env and "NO_COLOR" not in env:
            env["FORCE_COLOR"] = "1"
        if columns:
            env["COLUMNS"] = columns
        with _captured(env) as (out, err):
            try:
                code = search_command(context, **search_arguments(options), index=index)
            except KbError as error:
                from kbcli.cli.output import print_error

                print_error(error.message)
                code = error.exit_code
        stdout, stderr = out.getvalue(), err.getvalue()
        return f"{int(code)} {len(stdout)} {len(stderr)}\n".encode() + stdout + stderr


def _take_lock(root: str) -> int | None:
    """The repo's daemon lock, taken; None when the cache folder cannot be written (then
    this process runs without it, as before there was one)."""
    try:
        lock = daemon_lock.take(root)
    except OSError:
        return None
    if lock is None:
        found = daemon_lock.holder(root)
        who = f"pid {found.pid}" if found and found.pid else "starting"
        raise DaemonRunning(
            f"a kb {found.kind if found else 'daemon'} already answers searches for {root} "
            f"({who}; kb daemon --stop stops a kb daemon)"
        )
    return lock


@contextlib.contextmanager
def _captured(env: dict[str, str]) -> Iterator[tuple[io.BytesIO, io.BytesIO]]:
    """stdout and stderr into buffers, with the client's terminal variables set."""
    from kbcli.cli.search_client import TERMINAL_ENV

    saved = {k: os.environ.get(k) for k in TERMINAL_ENV}
    for key in TERMINAL_ENV:
        os.environ.pop(key, None)
    os.environ.update(env)
    out, err = io.BytesIO(), io.BytesIO()
    streams = sys.stdout, sys.stderr
    wrappers = (
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    sys.stdout, sys.stderr = wrappers
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = streams
        for wrapper in wrappers:
            wrapper.flush()
            wrapper.detach()  # else closing the wrapper would close the buffer
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
