"""``kb serve``: build, serve on 127.0.0.1, rebuild what changed on save, reload the browser.

The site on disk is exactly what ``kb build`` writes; the server adds a tiny
live-reload script to HTML responses only (an external file, so the pages' Content
Security Policy still holds). The script polls ``/__kb/build`` and reloads the page
when the build number changes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.history import RepoHistory
    from kbcli.usecases.handbook import BuildMemo, BuildReport
    from kbcli.workspace import Workspace

RELOAD_JS = b"""(function () {
  var seen = null;
  function poll() {
    fetch("/__kb/build", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (id) {
        if (seen !== null && id !== seen) { window.location.reload(); return; }
        seen = id; setTimeout(poll, 700);
      }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
"""
INJECT = b'<script src="/__kb/livereload.js" defer></script>'
WATCHED_SUFFIXES = (".md", ".toml", ".yaml", ".yml", ".html", ".css", ".js", ".svg", ".png")


class BuildState:
    """The build number the browser polls; bumped after every successful rebuild."""

    def __init__(self) -> None:
        self.number = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.number += 1


class _Handler(SimpleHTTPRequestHandler):
    state: BuildState
    # The site's path on its host ([handbook] url): served there too, as it will be
    # published, so the 404 page's links (which start from it) work here as well.
    prefix: str = "/"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: kb prints builds instead
        pass

    def do_GET(self) -> None:
        if self.prefix != "/" and self.path.startswith(self.prefix):
            self.path = "/" + self.path[len(self.prefix) :]
        path = self.path.split("?", 1)[0]
        if path == "/__kb/build":
            return self._send(str(self.state.number).encode(), "text/plain")
        if path == "/__kb/livereload.js":
            return self._send(RELOAD_JS, "text/javascript")
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            return self._send(_inject(target.read_bytes()), "text/html; charset=utf-8")
        if not target.exists():
            missing = Path(self.directory) / "404.html"
            if missing.is_file():
                body = _inject(missing.read_bytes())
                return self._send(body, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        return super().do_GET()

    def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _inject(html: bytes) -> bytes:
    at = html.rfind(b"</body>")
    return html if at < 0 else html[:at] + INJECT + html[at:]


def start_server(
    site: Path, host: str, port: int, state: BuildState, prefix: str = "/"
) -> ThreadingHTTPServer:
    handler = functools.partial(_Handler, directory=str(site))
    handler.func.state = state  # type: ignore[attr-defined]
    handler.func.prefix = prefix  # type: ignore[attr-defined]
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise KbError(
            f"cannot serve on {host}:{port} ({error.strerror}); pass another --port"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch_filter(root: Path, out: Path) -> Callable[[Any, str], bool]:
    skip = [root / ".kb", root / ".git", out]

    def keep(change: Any, path: str) -> bool:
        p = Path(path)
        if any(p == s or s in p.parents for s in skip):
            return False
        # Names without a suffix are kept too: most are folders, and a folder renamed or
        # removed must make LiveState list every card again (its files send no event).
        return (
            (p.suffix in WATCHED_SUFFIXES or not p.suffix)
            and not p.name.startswith((".", "~"))
            and "~" not in p.suffix
        )

    return keep


def serve(
    workspace: Callable[[], Workspace],
    build: Callable[[Workspace, BuildMemo], BuildReport],
    *,
    out: Path,
    host: str,
    port: int,
    on_build: Callable[[BuildReport], None],
    on_error: Callable[[str], None],
    on_ready: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Build, serve, then rebuild on every change under the repo until ^C (or ``stop``)."""
    import queue

    from kbcli.adapters.repo_watch import WATCH_TICK_MS, RepoWatcher
    from kbcli.core.handbook import site_path

    live = LiveState()
    ws = workspace()
    saves: queue.SimpleQueue[set[str]] = queue.SimpleQueue()
    watcher = RepoWatcher(
        ws.root, watch_filter(ws.root.resolve(), out.resolve()), saves.put, debounce=200,
        stop=stop,
    )  # fmt: skip
    # Watching before the first build, and announcing only once the watches are in place:
    # a card saved in between would otherwise be missed until the next save.
    watcher.start()
    try:
        live.refresh(ws)
        report = build(ws, live.memo)
        live.remember(ws)
        on_build(report)
        _settle()
        state = BuildState()
        server = start_server(report.out, host, port, state, site_path(ws.config.handbook.url))
        shown_host = f"[{host}]" if ":" in host else host
        watcher.wait_ready()
        on_ready(f"http://{shown_host}:{server.server_address[1]}/")
        try:
            while watcher.running or not saves.empty():
                try:
                    changed = saves.get(timeout=WATCH_TICK_MS / 1000)
                except queue.Empty:
                    continue
                while not saves.empty():  # saves made during the last rebuild: one more
                    changed |= saves.get()
                rebuilt = _rebuild(workspace, build, live, changed, on_error)
                if rebuilt is not None:
                    on_build(rebuilt)
                    state.bump()
                    _settle()
        finally:
            server.shutdown()
            server.server_close()
    except KeyboardInterrupt:
        pass  # ^C: stop serving
    finally:
        watcher.stop()


def _rebuild(
    workspace: Callable[[], Workspace],
    build: Callable[[Workspace, BuildMemo], BuildReport],
    live: LiveState,
    changed: set[str],
    on_error: Callable[[str], None],
) -> BuildReport | None:
    """Rebuild after the saves of ``changed`` (absolute paths); None if the build failed."""
    try:
        ws = workspace()
        live.refresh(ws, changed)
        report = build(ws, live.memo)
    except KbError as error:
        on_error(error.message)
        return None
    live.remember(ws)
    return report


def _settle() -> None:
    """After a build, with the page already reloading: collect garbage once, then move what
    survives (cards, bodies, history: kept for the next rebuild) out of the collector's
    sight, so that the next rebuild does not scan it again and again."""
    import gc

    gc.collect()
    gc.freeze()


class LiveState:
    """What one rebuild can reuse from the last: unchanged cards, the git history and the
    build's in-memory caches (``BuildMemo``).

    A save touches one file: re-reading only the files that changed, and keeping the
    history pass while HEAD stays put, is what keeps a rebuild under a second on
    thousands of cards.
    """

    def __init__(self) -> None:
        from kbcli.usecases.handbook import BuildMemo

        self.cards: dict[str, tuple[tuple[int, int], Any]] = {}
        self.head: str | None = None
        self.memo: BuildMemo = BuildMemo()
        # The history pass of the last build, while HEAD stays put: (history,) or None.
        self.history: tuple[RepoHistory | None] | None = None

    def refresh(self, ws: Workspace, changed: set[str] | None = None) -> None:
        """Give ``ws`` a catalog built from unchanged cards plus re-read changed ones.

        ``changed`` (absolute paths the file watcher reported) limits the work to those
        files; without it, or when a change is not a card file (a folder moved, a
        config or template saved), every card file is listed and checked by size and
        modification time.
        """
        from kbcli.adapters.git_history import locate
        from kbcli.core.catalog import Catalog

        fresh = self._changed_only(ws, changed) if changed and self.cards else None
        if fresh is None:
            fresh = self._all(ws)
        self.cards = fresh
        ws.catalog = Catalog([card for _sig, card in fresh.values()])
        place = locate(ws.root)
        head = place.head if place else None
        if self.history is not None and head == self.head:
            ws.set_history(self.history[0])
        self.head = head

    def _all(self, ws: Workspace) -> dict[str, tuple[tuple[int, int], Any]]:
        fresh = {}
        for rel in ws.card_files.paths():
            signature = _stat(ws.root / rel)
            if signature is None:
                continue
            known = self.cards.get(rel)
            card = (
                known[1] if known and known[0] == signature else ws.card_files.read(rel, ws.today)
            )
            fresh[rel] = (signature, card)
        return fresh

    def _changed_only(
        self, ws: Workspace, changed: set[str]
    ) -> dict[str, tuple[tuple[int, int], Any]] | None:
        """The known cards with the changed card files re-read, or None to list them all."""
        root = ws.root.resolve()
        fresh = dict(self.cards)
        for name in changed:
            path = Path(name)
            if not path.is_absolute() or not path.is_relative_to(root):
                return None
            rel = path.relative_to(root).as_posix()
            if path.is_dir():
                return None  # a folder appeared or moved: list everything
            if not ws.card_files.is_card_path(rel):
                if rel.endswith(".md") or not path.suffix:
                    return None  # maybe a folder that went away: list everything
                continue  # a template, config or static file: no card changed
            signature = _stat(path)
            if signature is None:
                fresh.pop(rel, None)
                continue
            known = fresh.get(rel)
            if not (known and known[0] == signature):
                fresh[rel] = (signature, ws.card_files.read(rel, ws.today))
        return dict(sorted(fresh.items()))

    def remember(self, ws: Workspace) -> None:
        self.history = (ws.history,) if ws.history_loaded else None


def _stat(path: Path) -> tuple[int, int] | None:
    import os

    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
